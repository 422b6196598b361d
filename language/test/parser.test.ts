// The parser and decoder on small inline documents, asserting codes at exact ranges (Langium style).
import { checkText, parse, type Diagnostic } from "@charter/language";
import { describe, expect, it } from "vitest";

/** `code@line:col-line:col` (1-based), for compact exact assertions. */
function at(text: string): string[] {
  return checkText(text, { today: "2026-11-25" })
    .diagnostics.filter((d) => d.code !== "CH8001" && d.code !== "CH8005")
    .map(
      (d: Diagnostic) =>
        `${d.code}@${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1}`,
    );
}

const tool = (body: string) => `agent a {\n  tool t { ${body} }\n}\n`;

describe("syntax errors", () => {
  it("reports every syntax error, not only the first, and keeps parsing", () => {
    const text = "agent a {\n  tool t { scope read = tier low }\n  reads ]\n  tool u { scope read tier low rate 5 per 1h }\n}\n";
    const d = checkText(text).diagnostics.filter((x) => x.code === "CH0001");
    // line 3 has two problems: a stray ']' and a `reads` with no source
    expect(d.map((x) => x.range.start.line)).toEqual([1, 2, 2]);
    expect(d[0]!.message).toBe('unexpected character "="');
    // the statement after the errors is still understood
    const agent = parse(text).file.decls[0]!;
    expect(
      agent.kind === "agent" && agent.items.filter((i) => i.kind === "tool").map((i) => (i as { name: { value: string } }).name.value),
    ).toEqual(["t", "u"]);
  });

  it("says what was expected", () => {
    const d = checkText(tool("scope read tier low rate 5")).diagnostics.find((x) => x.code === "CH0001")!;
    expect(d.message).toBe("expected 'per' after 'rate 5', found the end of the statement");
  });

  it("points at an unclosed block", () => {
    const d = checkText("agent a {\n  kind conversational\n").diagnostics.find((x) => x.code === "CH0001")!;
    expect(d.message).toMatch(/this '\{' is never closed/);
    expect(d.range.start).toEqual({ line: 0, character: 8 });
  });

  it("reports a stray closing brace and goes on", () => {
    expect(at("}\nagent a { kind robot }\n").filter((x) => !x.startsWith("CH4004") && !x.startsWith("CH7003"))).toEqual([
      "CH0001@1:1-1:2",
      "CH0002@2:16-2:21",
    ]);
  });
});

describe("unknown keywords (CH0002)", () => {
  it("suggests the closest keyword and offers it as a fix", () => {
    const d = checkText("agent a {\n  tol x { }\n}\n").diagnostics.find((x) => x.code === "CH0002")!;
    expect(d.message).toBe("unknown keyword 'tol' in an agent");
    expect(d.help).toBe("did you mean 'tool'?");
    expect(d.fix?.edits[0]?.newText).toBe("tool");
    expect(d.range).toEqual({ start: { line: 1, character: 2 }, end: { line: 1, character: 5 } });
  });

  it("says where a misplaced keyword belongs", () => {
    const d = checkText("agent a {\n  scope read\n}\n").diagnostics.find((x) => x.code === "CH0002")!;
    expect(d.help).toBe("'scope' belongs in a tool");
  });

  it("rejects unknown enum values with a did-you-mean", () => {
    const d = checkText(tool("scope read tier hihg rate 5 per 1h")).diagnostics.find((x) => x.code === "CH0002")!;
    expect(d.message).toBe("unknown tier 'hihg': expected low, medium or high");
    expect(d.help).toBe("did you mean 'high'?");
  });
});

describe("literals (CH0003)", () => {
  it.each([
    ["rate 5 per 3w", "'3w' is not a valid duration: unknown unit 'w'"],
    ["rate 5 per 10", "'10' is not a valid duration: it has no unit"],
    ["rate 2.5 per 1h", "'2.5' must be a whole number"],
  ])("%s", (body, message) => {
    const d = checkText(tool(`scope read tier low ${body}`)).diagnostics.find((x) => x.code === "CH0003")!;
    expect(d.message).toBe(message);
  });

  it("rejects impossible dates", () => {
    expect(at('policy p { owner "o" review { by "x" on 2026-02-30 digest "d" } }').filter((x) => x.startsWith("CH0003"))).toEqual([
      "CH0003@1:41-1:51",
    ]);
  });
});

describe("forbidden forms are recognised, not syntax errors", () => {
  it.each([
    ["  tool * { scope read }", "CH2001"],
    ["  tools all", "CH2001"],
    ["  allow all", "CH2002"],
    ["  allow all except paymentExecution, systemConfig", "CH2002"],
    ["  default allow", "CH2003"],
    ["  delegate other", "CH2005"],
  ])("%s → %s", (line, code) => {
    const codes = checkText(`agent a {\n${line}\n}\n`).diagnostics.map((d) => d.code);
    expect(codes).toContain(code);
    expect(codes).not.toContain("CH0001");
    expect(codes).not.toContain("CH0002");
  });

  it("agent x extends y → CH2005 on the extends clause", () => {
    expect(at("agent b extends a { }\n").filter((x) => x.startsWith("CH2005"))).toEqual(["CH2005@1:9-1:18"]);
  });

  it('"*" in lists → CH2004 at the wildcard', () => {
    const text = 'agent a {\n  sandbox { network ["*"] cpu 1 memory 1MiB time 1s }\n}\n';
    expect(at(text).filter((x) => x.startsWith("CH2004"))).toEqual(["CH2004@2:22-2:25"]);
  });
});

describe("confusables (CH0004)", () => {
  it("flags a Cyrillic letter in a domain", () => {
    const text = tool('scope send tier medium rate 5 per 1h args { to: email in domains ["cоmpany.com"] }');
    const d = checkText(text).diagnostics.find((x) => x.code === "CH0004")!;
    expect(d.message).toMatch(/U\+043E/);
  });
  it("flags BIDI controls", () => {
    const d = checkText('policy p { owner "a\u202Eb" }').diagnostics.find((x) => x.code === "CH0004")!;
    expect(d.message).toMatch(/bidirectional/);
  });
  it("flags invisible characters in names", () => {
    const d = checkText("agent pay\u200Bment { }").diagnostics.find((x) => x.code === "CH0004")!;
    expect(d.message).toMatch(/invisible/);
  });
});

describe("names that mean something to JavaScript", () => {
  it("a tool called `constructor` is an ordinary tool", () => {
    const text = tool("scope read tier low rate 5 per 1h").replace("tool t", "tool constructor");
    const r = checkText(text);
    expect(r.diagnostics.filter((d) => d.code.startsWith("CH0"))).toEqual([]);
    expect(Object.keys(r.bundle.agents["a"]!.tools)).toEqual(["constructor"]);
  });
  it("`__proto__` cannot be a name", () => {
    const d = checkText("agent __proto__ { }").diagnostics.find((x) => x.code === "CH0003")!;
    expect(d.message).toBe("'__proto__' cannot be used as a name");
  });
  it("units and keywords are looked up as own properties only", () => {
    const d = checkText(tool("scope read tier low rate 5 per 1constructor")).diagnostics.find((x) => x.code === "CH0003")!;
    expect(d.message).toBe("'1constructor' is not a valid duration: unknown unit 'constructor'");
  });
});

describe("numbers out of range (CH0003)", () => {
  it.each([
    ["scope read tier low rate 0 per 1h", "rate 0 is not positive"],
    ["scope read tier low rate 5 per 0m", "rate window 0m is not positive"],
    ["scope read tier low rate 5 per 1h args { n: number between 5 and 1 }", "argument 'n': between 5 and 1 admits no number"],
    ['scope write tier medium rate 5 per 1h approval { approvers ["x"] timeout 0s }', "approval timeout 0s is not positive"],
  ])("%s", (body, message) => {
    expect(
      checkText(tool(body))
        .diagnostics.filter((d) => d.code === "CH0003")
        .map((d) => d.message),
    ).toEqual([message]);
  });
});

describe("pin", () => {
  it("must be a sha256 digest", () => {
    const d = checkText(tool('scope read tier low rate 5 per 1h pin "abc"')).diagnostics.filter((x) => x.code === "CH0003");
    expect(d.map((x) => x.message)).toEqual(['pin "abc" is not a sha256 digest']);
    expect(
      checkText(tool(`scope read tier low rate 5 per 1h pin "sha256:${"a".repeat(64)}"`)).diagnostics.filter((x) => x.code === "CH0003"),
    ).toEqual([]);
  });
});
