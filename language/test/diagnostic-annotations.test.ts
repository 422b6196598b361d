// Every file in examples/invalid/ carries the diagnostics it must yield as annotation comments under
// the lines they concern, rust-analyzer style, so the expected range is visible where it applies:
//
//     tool issueRefund { scope write tier high rate 10 per 1h }
//   //     ^^^^^^^^^^^ error[CH3002]: high-tier tool 'issueRefund' has no approval
//
// The first caret is the range's start column and the carets cover the range (columns are UTF-16
// code units, as in LSP). A range that ends on a later line, or is empty, has carets to the end of
// the line and ` (to L:C)` after the code for its end; one starting in column 1 or 2 (under the
// `//`) has a single caret and ` (at L:C-L:C)` for the whole range; L:C are 1-based lines and
// columns of the file as it is, annotations included. The grammar is in test/support/golden.ts.
//
// This test parses the annotations, checks the file, and compares code, severity, range and message
// of every diagnostic exactly, in both directions: nothing expected is missing, nothing reported is
// unannotated. Each file also yields its own code (the file name's prefix) and no other error.
// Regenerate the annotations from the checker with UPDATE_GOLDEN=1, then review the diff — never
// edit them by hand to match what the checker does today.
import { ALL_CODES, checkText, parseReviewers } from "@charter/language";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  annotate,
  parseAnnotations,
  showExpected,
  sortExpected,
  stripAnnotations,
  updating,
  type Expected,
} from "../../test/support/golden.js";
import { INVALID, TODAY } from "../../test/support/paths.js";

const files = readdirSync(INVALID)
  .filter((f) => f.endsWith(".charter"))
  .sort();

function checker(path: string): (text: string) => Expected[] {
  const reviewersPath = path.replace(/\.charter$/, ".reviewers");
  const reviewers = existsSync(reviewersPath) ? parseReviewers(readFileSync(reviewersPath, "utf8")).reviewers : undefined;
  return (text) =>
    checkText(text, { today: TODAY, ...(reviewers ? { reviewers } : {}) }).diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      range: d.range,
    }));
}

describe("the annotation grammar", () => {
  // A check that places its diagnostics by the text itself, so it follows lines the annotations insert.
  const find = (text: string, needle: string) => {
    const lines = text.split("\n");
    const line = lines.findIndex((l) => !l.startsWith("//") && l.includes(needle));
    return { line, character: lines[line]!.indexOf(needle) };
  };
  const check = (text: string): Expected[] => {
    const kw = find(text, "policy");
    const close = find(text, "}");
    const version = find(text, "version");
    return [
      { code: "CH0001", severity: "error", message: "starts in column 1", range: { start: kw, end: { line: kw.line, character: 6 } } },
      {
        code: "CH1003",
        severity: "warning",
        message: "spans lines",
        range: { start: { line: kw.line, character: 7 }, end: { line: close.line, character: 1 } },
      },
      { code: "CH0002", severity: "info", message: "is empty", range: { start: version, end: version } },
      {
        code: "CH2001",
        severity: "error",
        message: "fits on its line",
        range: { start: version, end: { line: version.line, character: version.character + 7 } },
      },
    ];
  };

  it("writes and reads back ranges the carets cannot draw", () => {
    const text = annotate("policy p {\n  version 1\n}\n", check);
    expect(text).toBe(
      [
        "policy p {",
        "//^ error[CH0001] (at 1:1-1:7): starts in column 1",
        "//     ^^^ warning[CH1003] (to 7:2): spans lines",
        "  version 1",
        "//^^^^^^^ error[CH2001]: fits on its line",
        "//^^^^^^^^^ info[CH0002] (to 4:3): is empty",
        "}",
        "",
      ].join("\n"),
    );
    expect(sortExpected(parseAnnotations(text)).map(showExpected)).toEqual(sortExpected(check(text)).map(showExpected));
    expect(annotate(text, check)).toBe(text);
    expect(stripAnnotations(text)).toBe("policy p {\n  version 1\n}\n");
  });

  it("rejects a malformed annotation, naming its line", () => {
    expect(() => parseAnnotations("policy p {\n//   ^^ error CH0001 no brackets\n", "f.charter")).toThrow(
      /f\.charter:2: malformed annotation/,
    );
    expect(() => parseAnnotations("//  ^ error[CH0001]: nothing above\n", "f.charter")).toThrow(
      /f\.charter:1: annotation with no source line/,
    );
  });
});

describe("examples/invalid", () => {
  it("holds one file per code of the spec", () => {
    const covered = new Set(files.map((f) => f.slice(0, 6)));
    expect(ALL_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });

  for (const name of files) {
    it(name, () => {
      const path = join(INVALID, name);
      const check = checker(path);
      let text = readFileSync(path, "utf8");
      if (updating) {
        const next = annotate(text, check);
        if (next !== text) writeFileSync(path, next);
        text = next;
      }
      const code = name.slice(0, 6);
      const expected = sortExpected(parseAnnotations(text, path)).map(showExpected);
      const actual = sortExpected(check(text));

      expect(
        actual.map(showExpected),
        `${name}: diagnostics differ from its annotations (UPDATE_GOLDEN=1 rewrites them; review the diff)`,
      ).toEqual(expected);
      expect(
        actual.some((d) => d.code === code),
        `${name} yields ${code}`,
      ).toBe(true);
      expect(actual.filter((d) => d.severity === "error" && d.code !== code).map(showExpected), `${name}: no error but ${code}`).toEqual(
        [],
      );
      // The annotations are comments: without them the checker reports the same diagnostics on the same
      // source lines (messages that name a line may differ, so compare code, severity and columns).
      const shape = (ds: Expected[]) =>
        sortExpected(ds).map((d) => `${d.code} ${d.severity} ${d.range.start.character} ${d.range.end.character}`);
      expect(shape(check(stripAnnotations(text)))).toEqual(shape(actual));
    });
  }
});
