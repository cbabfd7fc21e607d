// The detail page's delete command against the router's own parser: for every label set, the path
// renderGroupingPath builds must be routed (lib/protocol/routes.ts, the Pushgateway's patterns), survive the
// percent-decoding and path cleaning of lib/protocol/url.ts unchanged, and parse (lib/grouping/parse-path.ts) back
// to exactly the same grouping labels; and it must use @base64 only where a plain segment cannot carry the value.
import { describe, expect, it } from "vitest";
import type { LabelPair } from "../../../lib/exposition/model";
import { parseGroupingPath } from "../../../lib/grouping/parse-path";
import { isPlainSegmentValue, renderGroupingPath } from "../../../lib/grouping/render-path";
import { RouteTable } from "../../../lib/protocol/routes";
import { cleanPath, decodePath } from "../../../lib/protocol/url";
import { mulberry32 } from "../../helpers/random";

// The DELETE routes as lib/protocol/router.ts registers them.
const table = new RouteTable<boolean>();
for (const suffix of ["", "@base64"]) for (const tail of ["/:job/*labels", "/:job"]) table.add("DELETE", `/metrics/job${suffix}${tail}`, suffix !== "");

function parseBack(path: string): LabelPair[] {
  const decoded = decodePath(path);
  expect(decoded).toBeDefined();
  expect(cleanPath(decoded!)).toBe(decoded); // no 301 to another path
  const found = table.lookup("DELETE", decoded!);
  if (found.kind !== "match") throw new Error(`not routed: ${path} (${found.kind})`);
  const parsed = parseGroupingPath(found.params.job ?? "", found.params.labels ?? "", found.handler);
  if (!parsed.ok) throw new Error(`${path}: ${parsed.message}`);
  expect(parsed.grouping.invalidUtf8.size).toBe(0);
  return parsed.grouping.labels;
}

const sorted = (labels: LabelPair[]) => [...labels].sort((a, b) => (a.name < b.name ? -1 : 1));
const L = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));

describe("renderGroupingPath", () => {
  it.each([
    [{ job: "backup_postgres", database: "billing" }, "/metrics/job/backup_postgres/database/billing"],
    [{ job: "api", instance: "web-1:9090" }, "/metrics/job/api/instance/web-1:9090"],
    [{ job: "a/b" }, "/metrics/job@base64/YS9i"],
    [{ job: "x", instance: "" }, "/metrics/job/x/instance@base64/="],
    [{ job: "x", path: "/var/lib" }, "/metrics/job/x/path@base64/L3Zhci9saWI="],
    [{ job: "..", dot: "." }, "/metrics/job@base64/Li4=/dot@base64/Lg=="],
    [{ job: "x", note: "it's 100%" }, "/metrics/job/x/note/it%27s%20100%25"],
    [{ job: "café" }, "/metrics/job/caf%C3%A9"],
    [{ job: "x", v: "a=b@base64" }, "/metrics/job/x/v/a=b@base64"],
    [{ job: "x", glob: "{a,b}[1]" }, "/metrics/job/x/glob/%7Ba,b%7D%5B1%5D"],
  ])("%j → %s", (labels, want) => {
    const path = renderGroupingPath(L(labels));
    expect(path).toBe(want);
    expect(parseBack(path)).toEqual(sorted(L(labels)));
  });

  it("never puts a shell quote or curl glob character in the path", () => {
    const path = renderGroupingPath(L({ job: "'$(rm -rf /)'", x: "[1-9]{a}" }));
    expect(path).not.toMatch(/['{}[\]\s]/);
  });

  const seed = 9_015;
  it(`round-trips random label values through the router's parser (seed ${seed})`, () => {
    const rand = mulberry32(seed);
    const alphabet = ["a", "Z", "0", "/", ".", "%", "=", "@", "+", " ", "'", '"', "?", "#", "&", "é", "☃", "\\", "-", "_", "~", ":", ";", ",", "\t", "\n"];
    const pick = () => {
      const n = Math.floor(rand() * 6);
      let v = "";
      for (let i = 0; i < n; i++) v += alphabet[Math.floor(rand() * alphabet.length)]!;
      return v;
    };
    let plain = 0;
    for (let i = 0; i < 2000; i++) {
      let job = pick();
      if (job === "") job = "j";
      const labels = L({ job, a: pick(), b_2: pick(), instance: pick() });
      const path = renderGroupingPath(labels);
      expect(parseBack(path)).toEqual(sorted(labels));
      for (const l of labels) {
        const plainForm = isPlainSegmentValue(l.value);
        if (plainForm) plain++;
        expect(path.includes(`${l.name}@base64/`)).toBe(!plainForm);
      }
    }
    expect(plain).toBeGreaterThan(1000);
  });
});
