// HTTP basic auth against --web.config.file's basic_auth_users, as exporter-toolkit checks it, without letting
// the check itself become a way to stall or probe the server:
//   - bcrypt runs on worker threads (BcryptPool), never on the event loop;
//   - verified and failed results are cached under a SHA-256 of the full credential, in two bounded caches, so
//     a flood of wrong passwords cannot evict the users who did sign in, and a repeated guess costs nothing;
//   - an unknown user is checked against a dummy hash of the same cost, so the answer time does not reveal which
//     user names exist (exporter-toolkit does the same);
//   - the scheme is case-insensitive (RFC 7235) and the base64 is decoded strictly as Go's
//     base64.StdEncoding does: Node's decoder skips junk, so padded variants of one valid token would
//     otherwise each pass and each take a cache entry.
import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";
import { BcryptPool } from "./bcrypt-pool";

/** `missing`: the request carried no Authorization header at all (an anonymous request, see authorization.ts). */
export type AuthOutcome = { ok: true; user?: string } | { ok: false; busy?: boolean; missing?: boolean };

/** Entries per cache (verified, failed). */
const CACHE_SIZE = 1024;
/** Comparisons allowed to wait for a worker before new ones are refused (503). */
const MAX_PENDING = 512;
/** Longer credentials are refused outright: bcrypt reads at most 72 bytes of a password. */
const MAX_TOKEN_LENGTH = 4096;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SCHEME = /^basic +/i;

/** A Map used as a least-recently-inserted bounded cache. */
class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  get size(): number {
    return this.map.size;
  }
}

/** The user and password of a `Basic` Authorization header, or undefined when it is malformed. */
export function parseBasicCredentials(authorization: string | undefined): { user: string; password: string; token: string } | undefined {
  if (!authorization) return undefined;
  const m = SCHEME.exec(authorization);
  if (!m) return undefined;
  const token = authorization.slice(m[0].length);
  if (token.length > MAX_TOKEN_LENGTH || !STRICT_BASE64.test(token)) return undefined;
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1), token };
}

export interface BasicAuth {
  /** Synchronous when the answer is known (no users, malformed header, cached), else a promise. */
  check(authorization: string | undefined): AuthOutcome | Promise<AuthOutcome>;
  /** Cache sizes, for tests. */
  cacheSizes(): { verified: number; failed: number };
  close(): Promise<void>;
}

export function createBasicAuth(users: ReadonlyMap<string, string>): BasicAuth {
  if (users.size === 0) {
    return { check: () => ({ ok: true }), cacheSizes: () => ({ verified: 0, failed: 0 }), close: async () => {} };
  }
  const pool = new BcryptPool();
  const verified = new BoundedCache<string>(CACHE_SIZE);
  const failed = new BoundedCache<true>(CACHE_SIZE);
  const inFlight = new Map<string, Promise<AuthOutcome>>();
  // Same cost as the configured hashes, so an unknown user takes as long as a wrong password.
  const cost = Math.min(14, Math.max(4, Number(/^\$2[abxy]?\$(\d\d)\$/.exec([...users.values()][0]!)?.[1] ?? 10)));
  const dummyHash = bcrypt.hashSync("pushboard: no such user", cost);

  return {
    check(authorization) {
      if (authorization === undefined) return { ok: false, missing: true };
      const cred = parseBasicCredentials(authorization);
      if (!cred) return { ok: false };
      const key = createHash("sha256").update(cred.token).digest("base64");
      const user = verified.get(key);
      if (user !== undefined) return { ok: true, user };
      if (failed.get(key)) return { ok: false };
      const pending = inFlight.get(key);
      if (pending) return pending;
      if (pool.pending >= MAX_PENDING) return { ok: false, busy: true };
      const hash = users.get(cred.user);
      const p = pool.compare(cred.password, hash ?? dummyHash).then((match): AuthOutcome => {
        inFlight.delete(key);
        if (match && hash !== undefined) {
          verified.set(key, cred.user);
          return { ok: true, user: cred.user };
        }
        failed.set(key, true);
        return { ok: false };
      });
      inFlight.set(key, p);
      return p;
    },
    cacheSizes: () => ({ verified: verified.size, failed: failed.size }),
    close: () => pool.close(),
  };
}
