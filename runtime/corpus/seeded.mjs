// The seeded helpers every corpus builder and split shares: the FNV-1a hash that assigns parts (train,
// val, held out) by id, and the generator that fills templates. One copy, so a corpus's records and its
// split stay reproducible from its seed alone; changing anything here changes every corpus.

/** 32-bit FNV-1a of the string's UTF-16 code units. */
export function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A mulberry32 generator seeded by the FNV-1a of `seed`: numbers in [0, 1). */
export function rng(seed) {
  return mulberry32(fnv1a(seed));
}

/** The mulberry32 generator from a 32-bit number: numbers in [0, 1). */
export function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
/** An integer in [lo, hi]. */
export const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
export const pad = (n) => String(n).padStart(2, "0");
