// Record timestamps. `new Date(ms).toISOString()` costs most of a microsecond, more than the rest of a
// record's fields together, and a log whose clock moves between records pays it on every one. isoUtc
// gives the same string: the date part ("2026-12-02T") is formatted by toISOString once per UTC day and
// the time of day from integer arithmetic and tables. Anything unusual goes to toISOString itself.

const DAY_MS = 86_400_000;
/** Year 10000 begins here: from then on toISOString writes six-digit years. */
const YEAR_10000_MS = 253_402_300_800_000;

const pad = (n: number, width: number): string => String(n).padStart(width, "0");
const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) => pad(i, 2));
const MILLIS: readonly string[] = Array.from({ length: 1000 }, (_, i) => "." + pad(i, 3) + "Z");

let day = Number.NaN;
let dayPrefix = "";

/** `new Date(ms).toISOString()`, including its RangeError for a time that is not one. */
export function isoUtc(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const d = Math.floor(ms / DAY_MS);
  if (d !== day) {
    dayPrefix = new Date(d * DAY_MS).toISOString().slice(0, 11); // "YYYY-MM-DDT"
    day = d;
  }
  let t = ms - d * DAY_MS;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const s = t % 60;
  t = (t - s) / 60;
  const m = t % 60;
  const h = (t - m) / 60;
  return dayPrefix + TWO_DIGITS[h]! + ":" + TWO_DIGITS[m]! + ":" + TWO_DIGITS[s]! + MILLIS[milli]!;
}
