// Durations in Prometheus' syntax (prometheus/common model.ParseDuration): units y w d h m s ms, each at most once
// and largest first, e.g. "1h30m", "2d", "90s", "0". A hand-written scanner: linear in the input, no regex.
// (Command-line flags take Go durations instead, as kingpin does: lib/config/flags.ts.)

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["y", 365 * 24 * 3600_000],
  ["w", 7 * 24 * 3600_000],
  ["d", 24 * 3600_000],
  ["h", 3600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];

export class DurationError extends Error {}

/** Milliseconds of a Prometheus duration; throws DurationError naming the problem. */
export function parsePrometheusDuration(input: string): number {
  if (input === "0") return 0;
  if (input === "") throw new DurationError("empty duration string");
  let total = 0;
  let nextUnit = 0;
  let i = 0;
  while (i < input.length) {
    const start = i;
    while (i < input.length && input.charCodeAt(i) >= 48 && input.charCodeAt(i) <= 57) i++;
    if (i === start || i - start > 15) throw new DurationError(`not a valid duration string: "${input}"`);
    const n = Number(input.slice(start, i));
    const unitStart = i;
    while (i < input.length && (input.charCodeAt(i) < 48 || input.charCodeAt(i) > 57)) i++;
    const unit = input.slice(unitStart, i);
    const idx = UNITS.findIndex(([u]) => u === unit);
    if (idx < nextUnit) throw new DurationError(`not a valid duration string: "${input}"`);
    total += n * UNITS[idx]![1];
    nextUnit = idx + 1;
  }
  if (!Number.isSafeInteger(total)) throw new DurationError(`duration out of range: "${input}"`);
  return total;
}

/** The shortest Prometheus spelling of a duration in ms (e.g. 5400000 → "1h30m"); the inverse of parsePrometheusDuration. */
export function formatPrometheusDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = Math.round(ms);
  let out = "";
  for (const [unit, size] of UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
