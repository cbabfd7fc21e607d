// Debian's Chromium for the browser tests, driven by playwright-core (no downloaded browser: there is no internet).
import { chromium, type Browser } from "playwright-core";
import { requireProgram } from "../system-deps.mjs";

/** Debian's Chromium (test/system-deps.json); missing, the launch fails the file. */
export const CHROMIUM = requireProgram("chromium") ?? "/usr/bin/chromium";

/**
 * Headless as root, and nothing that reaches for the network: on a machine with no internet, Chromium's
 * background connections are refused, many at a time, and slow every test.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A push with a text body; resolves to the status once the answer is read. */
export async function pushText(base: string, p: string, body: string, method = "PUT"): Promise<number> {
  const r = await fetch(base + p, { method, body, headers: { "content-type": "text/plain; version=0.0.4" } });
  await r.arrayBuffer();
  return r.status;
}
