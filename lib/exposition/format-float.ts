// Number formatting as the Pushgateway's Go code does it (docs/compatibility.md: numbers, text format).

/**
 * Go's fmt.Sprint(float64), i.e. strconv.FormatFloat(x, 'g', -1, 64): the shortest digits that round-trip, in
 * exponent form iff the decimal exponent is < -4 or >= 6 (Go fixes the precision for that decision at 6 in
 * shortest mode). The exponent has a sign and at least two digits: 1e+06, 1.5e-07. Used by the JSON API.
 */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const exp = x.toExponential(); // shortest round-trip mantissa, e.g. "1.234567e+6"
  const e = exp.indexOf("e");
  const exponent = Number(exp.slice(e + 1));
  if (exponent < -4 || exponent >= 6) {
    return exp.slice(0, e) + "e" + (exponent < 0 ? "-" : "+") + String(Math.abs(exponent)).padStart(2, "0");
  }
  return String(x); // JS prints plain decimal in this range, with the same digits as Go
}

/** The text exposition writer: like formatGoFloat, but negative zero prints as "0". */
export function formatTextValue(x: number): string {
  return x === 0 ? "0" : formatGoFloat(x);
}
