// Hostile input ends in a diagnostic with a location, never in "internal error: Maximum call stack
// size exceeded": nesting past the limit, a huge string literal, a file past the size limit and bytes
// that are not UTF-8. (How fast checking stays on large files is `npm run bench`'s business.)

import { checkBytes, checkText, decodePolicyBytes, formatText, MAX_POLICY_LENGTH } from "@charter/language";
import { firstInvalidUtf8 } from "../src/encoding.js";
import { describe, expect, test } from "vitest";

const codes = (r: ReturnType<typeof checkText>, code: string) => r.diagnostics.filter((d) => d.code === code);

describe("nesting, size and length limits", () => {
  test("50,000 nested blocks: one CH0001 at the block that goes too deep", () => {
    const text = "agent a " + "{ x ".repeat(50_000) + "}".repeat(50_000);
    const r = checkText(text);
    const deep = r.diagnostics.filter((d) => d.message.startsWith("nested deeper than"));
    expect(deep).toHaveLength(1);
    expect(deep[0]!.code).toBe("CH0001");
    expect(deep[0]!.span.start).toBe(8 + 64 * 4);
    expect(formatText(text).ok).toBe(false);
  });
  test("a 100,000-deep list: one CH0001 at the list that goes too deep", () => {
    const text = "policy p { owner " + "[".repeat(100_000) + "]".repeat(100_000) + " }";
    const deep = checkText(text).diagnostics.filter((d) => d.message.startsWith("nested deeper than"));
    expect(deep.map((d) => [d.code, d.range.start])).toEqual([["CH0001", { line: 0, character: 17 + 63 }]]);
  });
  test("nesting within the limit is untouched", () => {
    const text = 'test "t" { expect a call b { x: ' + "[".repeat(60) + "]".repeat(60) + " } => deny }";
    expect(checkText(text).diagnostics.filter((d) => d.message.startsWith("nested deeper"))).toEqual([]);
  });
  test("a 10 MB string literal is CH0003 at the string, and the rest of the file is still checked", () => {
    const text = 'policy p { owner "' + "a".repeat(10_000_000) + '" versoin 1 }';
    const r = checkText(text);
    expect(codes(r, "CH0003").map((d) => [d.range.start, d.message.slice(0, 40)])).toEqual([
      [{ line: 0, character: 17 }, "string literal of 10,000,002 characters "],
    ]);
    expect(codes(r, "CH0001").length + codes(r, "CH0002").length).toBeGreaterThan(0);
  });
  test("a text past the size limit is one CH0001 at its start, not parsed", () => {
    const r = checkText("/" + "/".repeat(MAX_POLICY_LENGTH));
    expect(r.diagnostics.map((d) => [d.code, d.range.start])).toEqual([["CH0001", { line: 0, character: 0 }]]);
    expect(r.errors).toBe(1);
  });
  test("a long chain of constraints is bounded too", () => {
    const text = `agent a { tool t { scope read tier low rate 1 per 1h args { x: ${"list of ".repeat(5_000)}bool${" max 1".repeat(5_000)} } } }`;
    expect(codes(checkText(text), "CH0003").map((d) => d.message)).toEqual(["constraint nested deeper than 32 levels"]);
  });
});

describe("encoding", () => {
  const bytes = (...parts: (string | number[])[]) =>
    new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p)))));
  test("invalid UTF-8 is CH0001 at the line and column of the first bad byte; the rest is still checked", () => {
    const r = checkBytes(bytes('policy p {\n  owner "caf', [0xe9], '"\n}\nsource s { trust bogus threshold 0.5 }\n'));
    const enc = r.diagnostics.filter((d) => d.message.includes("not valid UTF-8"));
    expect(enc.map((d) => [d.code, d.severity, d.range.start])).toEqual([["CH0001", "error", { line: 1, character: 12 }]]);
    expect(enc[0]!.message).toContain("0xe9");
    expect(codes(r, "CH0002").map((d) => d.range.start.line)).toEqual([3]);
  });
  test("valid UTF-8 (a BOM, non-ASCII names) decodes as readFileSync would", () => {
    const text = '\ufeffpolicy café { owner "équipe" }\n';
    const r = decodePolicyBytes(new Uint8Array(Buffer.from(text, "utf8")));
    expect(r).toEqual({ text });
  });
  test.each([
    ["a lone continuation byte", [0x41, 0x80], 1],
    ["an overlong encoding of '/'", [0xc0, 0xaf], 0],
    ["a UTF-16 surrogate", [0x41, 0x42, 0xed, 0xa0, 0x80], 2],
    ["a code point past U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["a truncated sequence at the end", [0x41, 0xe2, 0x82], 1],
  ])("%s is invalid at the byte where it starts", (_what, b, at) => {
    expect(firstInvalidUtf8(new Uint8Array(b))).toBe(at);
  });
  test("the validator agrees with the platform's fatal decoder on random bytes", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 2_000; n++) {
      const b = new Uint8Array(1 + (n % 9)).map(() => (rand() < 160 ? rand() & 0x7f : rand()));
      let valid = true;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(b);
      } catch {
        valid = false;
      }
      expect(firstInvalidUtf8(b) < 0, `bytes ${[...b]}`).toBe(valid);
    }
  });
});
