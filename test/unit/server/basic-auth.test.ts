import bcrypt from "bcryptjs";
import { afterAll, describe, expect, it } from "vitest";
import { createBasicAuth, parseBasicCredentials } from "../../../lib/server/basic-auth";

const basic = (s: string) => "Basic " + Buffer.from(s).toString("base64");
const users = new Map([["alice", bcrypt.hashSync("s3cret", 4).replace("$2b$", "$2y$")]]);
const auth = createBasicAuth(users);
afterAll(() => auth.close());

describe("parseBasicCredentials", () => {
  it("accepts the scheme in any case (RFC 7235)", () => {
    for (const scheme of ["Basic", "basic", "BASIC", "bAsIc"])
      expect(parseBasicCredentials(`${scheme} ${Buffer.from("a:b").toString("base64")}`)).toMatchObject({ user: "a", password: "b" });
  });
  it("decodes base64 strictly, as Go's StdEncoding does", () => {
    const token = Buffer.from("alice:s3cret").toString("base64");
    for (const bad of [token + "!!!!", "!" + token, token.replace(/=+$/, "") + "=", token + " x", "Zm9v\nYmFy"])
      expect(parseBasicCredentials(`Basic ${bad}`)).toBeUndefined();
    expect(parseBasicCredentials("Bearer abc")).toBeUndefined();
    expect(parseBasicCredentials(basic("no-colon"))).toBeUndefined();
  });
});

describe("createBasicAuth", () => {
  it("verifies on a worker, then answers from the cache", async () => {
    const first = auth.check(basic("alice:s3cret"));
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ ok: true, user: "alice" });
    expect(auth.check(basic("alice:s3cret"))).toEqual({ ok: true, user: "alice" });
    expect(auth.check("basic " + Buffer.from("alice:s3cret").toString("base64"))).toEqual({ ok: true, user: "alice" });
  });
  it("checks an unknown user against a dummy hash, like a wrong password (no timing oracle)", async () => {
    const unknown = auth.check(basic("mallory:s3cret"));
    const wrong = auth.check(basic("alice:wrong"));
    // Both need a bcrypt comparison: neither is answered without one.
    expect(unknown).toBeInstanceOf(Promise);
    expect(wrong).toBeInstanceOf(Promise);
    expect(await unknown).toEqual({ ok: false });
    expect(await wrong).toEqual({ ok: false });
    // Failed results are cached too: a repeated guess costs no bcrypt.
    expect(auth.check(basic("alice:wrong"))).toEqual({ ok: false });
  });
  it("a valid token padded with junk is refused and takes no cache entry", async () => {
    await auth.check(basic("alice:s3cret"));
    const before = auth.cacheSizes();
    for (let i = 1; i <= 50; i++) expect(auth.check(basic("alice:s3cret") + "!".repeat(i))).toEqual({ ok: false });
    expect(auth.cacheSizes()).toEqual(before);
  });
  it("caches stay bounded", async () => {
    const guesses = Array.from({ length: 1100 }, (_, i) => auth.check(basic(`alice:guess${i}`)));
    await Promise.all(guesses);
    expect(auth.cacheSizes().failed).toBeLessThanOrEqual(1024);
    // The signed-in user stays cached however many guesses fail.
    expect(auth.check(basic("alice:s3cret"))).toEqual({ ok: true, user: "alice" });
  }, 60_000);
  it("without users everything passes", () => {
    expect(createBasicAuth(new Map()).check(undefined)).toEqual({ ok: true });
  });
});
