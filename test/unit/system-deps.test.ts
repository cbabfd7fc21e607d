// Every program a test runs and every Python module it imports comes from a package in test/system-deps.json,
// the list test/setup.sh installs from. A fresh machine (and CI) has only what that list installs, so a test that
// starts needing an undeclared tool must fail here, on every machine, not only on a new one.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { declaredProgram, declaredPythonModule, SYSTEM_PACKAGES } from "../system-deps.mjs";

const TEST_DIR = path.resolve(__dirname, "..");
/** The installer names system paths it manages (policy-rc.d, init scripts); fixtures are data; this file holds fakes. */
const NOT_SCANNED = new Set(["setup.sh", "fixtures", "system-deps.mjs", "system-deps.json", "system-deps.test.ts"]);
/** Node's own tools, and what Debian's Essential packages (coreutils, bash builtins, grep, sed, gzip) provide. */
const ALWAYS_PRESENT = new Set(
  "node npm npx echo printf cat true false test cd export set exit read sleep head tail grep sed wc tr sort cut kill env mkdir rm cp mv ls chmod gzip df dirname basename id sh".split(
    " ",
  ),
);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (NOT_SCANNED.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|mjs|js|py|sh|lua)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Contents of the string and template literals of a JS/TS source (escapes and ${…} left as they are). */
function literals(src: string): string[] {
  return [...src.matchAll(/"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

function programMatchesSpec(program: string): boolean {
  if (!program.startsWith("/")) return declaredProgram(program) !== undefined;
  return SYSTEM_PACKAGES.some((p) =>
    (p.programs ?? []).some(
      (spec) => spec.startsWith("/") && new RegExp(`^${spec.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]+")}$`).test(program),
    ),
  );
}

/** A finding: the program or module, and where it was seen. */
type Use = { name: string; where: string };

/** Programs a source runs: literal spawn/exec arguments, system paths, tools asked for by name, shell commands. */
export function programsUsed(file: string, src: string): Use[] {
  const uses: Use[] = [];
  const rel = path.relative(TEST_DIR, file);
  const add = (name: string, how: string) => uses.push({ name, where: `${rel} (${how})` });
  // `exec` qualified by an object is a database's (better-sqlite3 `db.exec(sql)`), not child_process'.
  for (const m of src.matchAll(/(\w+\.)?\b(spawn|spawnSync|execFile|execFileSync|exec|execSync)\(\s*(["'`])([^"'`$]+)\3/g)) {
    if (m[1] && m[2]!.startsWith("exec") && !m[2]!.startsWith("execFile") && m[1] !== "cp." && m[1] !== "child_process.") continue;
    add(m[4]!.trim().split(/\s+/)[0]!, "spawned");
  }
  for (const m of src.matchAll(/\b(?:findProgram|requireProgram)\(\s*["']([^"']+)["']/g)) add(m[1]!, "asked for");
  for (const lit of file.endsWith(".sh") ? [src] : literals(src)) {
    for (const m of lit.matchAll(/(?:^|[\s=(])(\/(?:usr\/)?(?:local\/)?(?:s?bin|lib\/postgresql)\/[\w./*-]+)/g)) {
      if (!m[1]!.startsWith("/usr/bin/env")) add(m[1]!, "system path");
    }
  }
  // Shell snippets: the command word of each pipeline segment, where a flag, quote, variable or redirection follows.
  const runsShell = file.endsWith(".sh") || /\b(?:spawn|spawnSync|execFile|execFileSync)\(\s*["'](?:ba)?sh["']/.test(src);
  if (runsShell) {
    for (const lit of file.endsWith(".sh") ? [src] : literals(src)) {
      for (const seg of lit.split(/\n|\|\|?|&&|;|\$\(/)) {
        const m = /^\s*([a-z][a-z0-9_.-]*)\s+(?:-|"|'|\$|<<|@)/.exec(seg);
        if (m && !ALWAYS_PRESENT.has(m[1]!)) add(m[1]!, "shell command");
      }
    }
  }
  return uses;
}

/** Python modules a source imports: in .py files, and in Python code carried by string literals of other files. */
export function pythonModulesUsed(file: string, src: string): Use[] {
  const rel = path.relative(TEST_DIR, file);
  const code = file.endsWith(".py") ? [src] : /python/i.test(src) ? literals(src) : [];
  const uses: Use[] = [];
  for (const text of code) {
    for (const line of text.split(/\n|\\n/)) {
      const imp = /^\s*import\s+([\w.]+(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)/.exec(line);
      const from = /^\s*from\s+([\w.]+)\s+import\b/.exec(line);
      const mods = imp ? imp[1]!.split(",").map((s) => s.trim().split(/\s+/)[0]!) : from ? [from[1]!] : [];
      for (const mod of mods) uses.push({ name: mod.split(".")[0]!, where: `${rel}` });
    }
  }
  return uses;
}

describe("test/system-deps.json declares every tool the tests use", () => {
  const files = sourceFiles(TEST_DIR);

  it("finds the test sources (sanity: the scan is not empty)", () => {
    expect(files.length).toBeGreaterThan(30);
    const all = files.flatMap((f) => programsUsed(f, readFileSync(f, "utf8")).map((u) => u.name));
    // Known uses: if these disappear the scanner is broken, not the tests fixed.
    expect(all).toEqual(expect.arrayContaining(["/usr/bin/chromium", "curl", "bash"]));
  });

  it("every program a test runs is provided by a listed package", () => {
    const undeclared = files.flatMap((f) => programsUsed(f, readFileSync(f, "utf8"))).filter((u) => !ALWAYS_PRESENT.has(u.name) && !programMatchesSpec(u.name));
    expect(undeclared.map((u) => `${u.name} in ${u.where}`)).toEqual([]);
  });

  it("every Python module a test imports is provided by a listed package", () => {
    const uses = files.flatMap((f) => pythonModulesUsed(f, readFileSync(f, "utf8")));
    expect(uses.map((u) => u.name)).toEqual(expect.arrayContaining(["prometheus_client", "snappy"]));
    const undeclared = uses.filter((u) => !declaredPythonModule(u.name));
    expect(undeclared.map((u) => `${u.name} in ${u.where}`)).toEqual([]);
  });

  it("the scanner catches an undeclared program and module (it can fail)", () => {
    const fake = path.join(TEST_DIR, "x/fake.test.ts");
    const src =
      'spawnSync("jq", ["."]); const p = "/usr/bin/redis-server"; const py = `import yaml\\nfrom lxml import etree`; spawnSync("bash", ["-c", s]); const s = "echo x | xmllint --noout -";';
    const progs = programsUsed(fake, src)
      .map((u) => u.name)
      .filter((n) => !programMatchesSpec(n) && !ALWAYS_PRESENT.has(n));
    expect(progs).toEqual(["jq", "/usr/bin/redis-server", "xmllint"]);
    const mods = pythonModulesUsed(fake, src.replace("spawnSync", "python"))
      .map((u) => u.name)
      .filter((n) => !declaredPythonModule(n));
    expect(mods).toEqual(["yaml", "lxml"]);
  });

  it("names each package once, each with something it provides", () => {
    const names = SYSTEM_PACKAGES.map((p) => p.package);
    expect(new Set(names).size).toBe(names.length);
    for (const p of SYSTEM_PACKAGES) expect((p.programs?.length ?? 0) + (p.python?.length ?? 0), p.package).toBeGreaterThan(0);
  });
});
