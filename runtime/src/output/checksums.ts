// Check-digit algorithms that turn "looks like a number" into "is a valid identifier": Luhn for payment
// cards, ISO 7064 mod-97 for IBANs and Verhoeff for Aadhaar. Inputs are compact (no separators); any
// character outside the expected alphabet makes the check fail rather than throw.

/** Luhn (mod 10) over a string of decimal digits. */
export function luhnValid(digits: string): boolean {
  if (digits.length < 2) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616 check: move the first four characters to the end, letters to 10..35, remainder mod 97 is 1. */
export function ibanMod97Valid(compact: string): boolean {
  if (compact.length < 5) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

// Verhoeff: multiplication in the dihedral group D5 and the permutation (1 5 7 6 2 8 3 0 9 4) applied
// i mod 8 times. Both tables are derived rather than typed in, so a typo cannot hide in them.
const D5: number[][] = (() => {
  const t: number[][] = [];
  for (let a = 0; a < 10; a++) {
    t.push([]);
    for (let b = 0; b < 10; b++) {
      // Elements 0..4 are rotations r^k, 5..9 are reflections s·r^(k-5).
      const ra = a % 5,
        rb = b % 5,
        sa = a >= 5,
        sb = b >= 5;
      const rot = sa ? (ra - rb + 5) % 5 : (ra + rb) % 5;
      t[a]!.push((sa !== sb ? 5 : 0) + rot);
    }
  }
  return t;
})();

const PERM: number[][] = (() => {
  const base = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
  const rows = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]];
  for (let i = 1; i < 8; i++) rows.push(rows[i - 1]!.map((d) => base[d]!));
  return rows;
})();

/** Verhoeff check over decimal digits, the check digit last. */
export function verhoeffValid(digits: string): boolean {
  if (digits.length < 2) return false;
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (d < 0 || d > 9) return false;
    c = D5[c]![PERM[i % 8]![d]!]!;
  }
  return c === 0;
}

/** The digit that makes `digits + check` Verhoeff-valid (used by tests and fixtures). */
export function verhoeffCheckDigit(digits: string): string {
  for (let d = 0; d < 10; d++) if (verhoeffValid(digits + d)) return String(d);
  return "";
}
