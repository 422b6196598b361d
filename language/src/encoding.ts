// Policy files are UTF-8. Bytes that are not are reported where they stand (CH0001, with the line
// and column of the first bad byte) instead of being silently replaced: what a reviewer reads must
// be what runs, and a replacement character can hide what was there. Pure: the caller reads bytes.

import type { RawDiagnostic } from "./diagnostics.js";

export interface DecodedPolicy {
  /** the text, with U+FFFD where bytes were invalid (so offsets past them stay meaningful) */
  text: string;
  /** the first invalid byte sequence, when there is one */
  diagnostic?: RawDiagnostic;
}

/** Index of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      min = 0x10000;
    } else return i;
    if (i + len > n) return i;
    let cp = b & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += len;
  }
  return -1;
}

/** Decodes a policy file's bytes; invalid UTF-8 becomes a diagnostic at the first bad byte. */
export function decodePolicyBytes(bytes: Uint8Array): DecodedPolicy {
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return { text: decoder.decode(bytes) };
  const offset = decoder.decode(bytes.subarray(0, bad)).length;
  const shown = Array.from(bytes.subarray(bad, Math.min(bytes.length, bad + 4)), (b) => "0x" + b.toString(16).padStart(2, "0")).join(" ");
  return {
    text: decoder.decode(bytes),
    diagnostic: {
      code: "CH0001",
      span: { start: offset, end: offset + 1 },
      message: `the file is not valid UTF-8: invalid byte sequence (${shown}) at byte ${bad}`,
      help: "save the policy as UTF-8; if the bytes were meant as text in another encoding, convert it (e.g. iconv -f latin1 -t utf-8)",
    },
  };
}
