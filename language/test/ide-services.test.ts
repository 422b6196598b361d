// The editor services of language/src/ide on small inline policies: completion by context, hover,
// rename (and its refusals), outline, folding, semantic tokens, code lens and the line diff.

import { describe, expect, test } from "vitest";
import { checkText } from "../src/index.js";
import * as ide from "../src/ide/index.js";

const POLICY = `policy p {
  version 1
  owner "team"
}

source user { trust low threshold 0.5 }
source rag { trust low threshold 0.5 }

agent helper {
  kind conversational
  reads user
  tool lookup { scope read tier low rate 10 per 1h }
  tool refund {
    scope write
    tier high
    rate 5 per 1h
    approval { approvers ["leads"] timeout 15m }
    reversal "playbooks/refund.md"
    args { amount: number max 100 }
  }
  deny wire
  talks_to backend via query
}

agent backend {
  kind document-processing
  exposes query, report
  tool fetch { scope read tier low rate 100 per 1h }
}

test "t" {
  expect helper call refund { amount: 5 } => approval
}
`;

/** Completion labels at the `|` in `src`. */
function labels(src: string): string[] {
  const offset = src.indexOf("|");
  const text = src.replace("|", "");
  const r = checkText(text);
  return ide.complete({ text, tokens: r.syntax.tokens, comments: r.syntax.comments, file: r.file }, offset).items.map((i) => i.label);
}

function analyse(text = POLICY) {
  const r = checkText(text, { today: "2026-11-14" });
  const symbols = ide.indexSymbols(r.file);
  const at = (needle: string, nth = 0, delta = 1) => {
    let i = -1;
    for (let n = 0; n <= nth; n++) i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`not found: ${needle}`);
    return i + delta;
  };
  return { r, symbols, at, text };
}

describe("completion", () => {
  const edit = (from: string, to: string) => POLICY.replace(from, to);
  test("keywords valid in the block at the cursor, without ones already given", () => {
    expect(labels(edit("    reversal", "    |\n    reversal"))).toEqual(["reversal", "pin", "returns", "args", "after", "when", "budget"]);
    expect(labels("|")).toEqual(["policy", "source", "defaults", "agent", "test", "agent"]);
    expect(labels("policy p {\n  version 1\n  |\n}")).toEqual(["owner", "mode", "review"]);
  });
  test("a partial keyword after a complete statement is a keyword, not an operand", () => {
    expect(labels("agent a { tool x { scope read ti| } }")).toEqual([
      "tier",
      "rate",
      "approval",
      "reversal",
      "pin",
      "returns",
      "args",
      "after",
      "when",
      "budget",
      "approval",
    ]);
  });
  test("enum values after tier, scope, trust, kind, filesystem, pii", () => {
    expect(labels(edit("tier low rate 10", "tier | rate 10"))).toEqual(["low", "medium", "high"]);
    expect(labels(edit("scope read tier low rate 10", "scope | tier low rate 10"))).toEqual(["read", "write", "send", "delete", "execute"]);
    expect(labels(edit("source rag { trust low", "source rag { trust |"))).toEqual(["untrusted", "low", "medium", "high"]);
    expect(labels("agent a { sandbox { filesystem | } }")).toEqual(["none", "read-only", "ephemeral", "persistent"]);
    expect(labels("defaults { audit { pii | } }")).toEqual(["hash", "redact", "raw"]);
    expect(labels("agent a { tool t { approval { on_timeout | } } }")).toEqual(["reject"]);
  });
  test("names: sources after reads, agents after talks_to, interfaces after via, tools in deny and expect", () => {
    expect(labels(edit("reads user", "reads user, |"))).toEqual(["rag"]);
    expect(labels(edit("talks_to backend via query", "talks_to |"))).toEqual(["backend"]);
    expect(labels(edit("talks_to backend via query", "talks_to backend |"))).toEqual(["via"]);
    expect(labels(edit("talks_to backend via query", "talks_to backend via |"))).toEqual(["query", "report"]);
    expect(labels(edit("deny wire", "deny |"))).toEqual(["fetch"]);
    expect(labels(edit("expect helper call refund", "expect |"))).toEqual(["helper", "backend"]);
    expect(labels(edit("expect helper call refund", "expect helper call |"))).toEqual(["lookup", "refund", "wire"]);
    expect(labels(edit("=> approval", "=> |"))).toEqual(["allow", "deny", "approval"]);
  });
  test("monitor rule pieces and argument constraints", () => {
    expect(labels("defaults { monitor { output | } }")).toEqual(["pii", "exfiltration"]);
    expect(labels("defaults { monitor { tool_rate > 2.0x | } }")).toEqual(["baseline"]);
    expect(labels("defaults { monitor { data_volume > 2.0x baseline | } }")).toEqual(["per"]);
    expect(labels("defaults { monitor { output pii => | } }")).toEqual(["alert", "block", "redact"]);
    expect(labels("defaults { monitor { output pii => alert | } }")).toEqual(["low", "medium", "high", "critical"]);
    expect(labels("agent a { tool t { args { x: | } } }")).toEqual([
      "one of",
      "subset of",
      "email in domains",
      "url in domains",
      "number between",
      "number max",
      "integer between",
      "integer max",
      "string max",
      "string matching",
      "bool",
      "path under",
      "list of",
      "any",
    ]);
  });
  test("snippets for agent, tool, approval and sandbox; nothing in strings and comments", () => {
    const r = checkText("agent a {  }");
    const items = ide.complete({ text: "agent a {  }", tokens: r.syntax.tokens, comments: r.syntax.comments, file: r.file }, 10).items;
    expect(items.filter((i) => i.snippet).map((i) => i.label)).toEqual(["tool", "sandbox"]);
    expect(items.find((i) => i.label === "tool" && i.snippet)!.insertText).toContain("tier ${3|low,medium,high|}");
    expect(labels("|")).toContain("agent");
    expect(labels('policy p { owner "te|am" }')).toEqual([]);
    expect(labels("// a comment |\n")).toEqual([]);
  });
  test("the replaced span is the partial word", () => {
    const text = "agent a { tool x { tier hi } }";
    const r = checkText(text);
    expect(ide.complete({ text, tokens: r.syntax.tokens, comments: r.syntax.comments, file: r.file }, 26).replace).toEqual({
      start: 24,
      end: 26,
    });
  });
});

describe("navigation and rename", () => {
  test("definition and references of an interface scoped by its agent", () => {
    const { symbols, at } = analyse();
    const occ = symbols.at(at("via query", 0, 5))!;
    expect(occ.symbol).toMatchObject({ kind: "interface", name: "query", owner: "backend" });
    expect(ide.spansOf(occ.symbol).map((s) => POLICY.slice(s.start, s.end))).toEqual(["query", "query"]);
  });
  test("a tool's references: its grant, the agent's deny and the tests' calls", () => {
    const { symbols, at } = analyse();
    const refund = symbols.at(at("tool refund", 0, 6))!.symbol;
    expect(refund.decls).toHaveLength(1);
    expect(refund.refs.map((s) => POLICY.slice(s.start - 12, s.end))).toEqual(["helper call refund"]);
  });
  test("rename updates every mention and refuses clashes and invalid names", () => {
    const { symbols, at } = analyse();
    const r = ide.rename(symbols, at("agent backend", 0, 7), "store");
    expect(r.ok && r.edits.map((e) => e.span.start)).toEqual([POLICY.indexOf("agent backend") + 6, POLICY.indexOf("talks_to backend") + 9]);
    expect(ide.rename(symbols, at("agent backend", 0, 7), "helper")).toEqual({
      ok: false,
      reason: "cannot rename to 'helper': an agent of that name already exists in this file",
    });
    expect(ide.rename(symbols, at("tool lookup", 0, 6), "refund")).toEqual({
      ok: false,
      reason: "cannot rename to 'refund': a tool of that name already exists for agent 'helper'",
    });
    expect(ide.rename(symbols, at("tool lookup", 0, 6), "wire")).toMatchObject({ ok: false });
    expect(ide.rename(symbols, at("tool lookup", 0, 6), "9bad")).toMatchObject({ ok: false });
    expect(ide.prepareRename(symbols, at("kind conversational", 0, 2))).toMatchObject({ ok: false });
  });
});

describe("hover, outline, folding, tokens, lens", () => {
  test("hover on a keyword gives its schema doc; on a tool its effective permissions", () => {
    const { r, symbols, at } = analyse();
    const input = { text: POLICY, file: r.file, syntax: r.syntax, bundle: r.bundle, symbols };
    expect(ide.hoverAt(input, at("    tier high", 0, 5))!.markdown).toBe(
      "**tier** — How consequential a call is: `high` needs approval and a reversal playbook.\n\nValues: `low` · `medium` · `high`",
    );
    expect(ide.hoverAt(input, at("tool refund", 0, 6))!.markdown).toBe(
      '**tool** `refund` · agent `helper`\n\n- scope: `write`\n- tier: `high`\n- rate: 5 per 1h\n- approval: ["leads"] · timeout 15m · on timeout: reject\n- reversal: `playbooks/refund.md`\n- arguments (any other is refused):\n  - `amount`: `number max 100`',
    );
    expect(ide.hoverAt(input, at("deny wire", 0, 6))!.markdown).toBe(
      "**tool** `wire` · agent `helper`\n\nDenied: every call is refused and audited.",
    );
    expect(ide.hoverAt(input, at("agent helper", 0, 7))!.markdown).toContain(
      "- tools: 2 — low: `lookup` · medium: none · high: `refund`\n- need approval: `refund`\n- denied: `wire`\n- reads: `user` (low, 0.5)",
    );
  });
  test("outline is policy → sources, agents → tools, tests; folding covers multi-line blocks", () => {
    const { r } = analyse();
    const tree = ide.outline(r.file);
    expect(tree.map((s) => [s.name, s.kind, s.children.map((c) => [c.name, c.children.map((d) => d.name)])])).toEqual([
      [
        "p",
        "policy",
        [
          ["user", []],
          ["rag", []],
          ["helper", ["lookup", "refund"]],
          ["backend", ["fetch"]],
          ["t", []],
        ],
      ],
    ]);
    const lines = (o: number) => POLICY.slice(0, o).split("\n").length - 1;
    expect(
      ide
        .foldingSpans(r.syntax, POLICY)
        .filter((f) => lines(f.end) > lines(f.start))
        .map((f) => [lines(f.start), lines(f.end)]),
    ).toEqual([
      [0, 3],
      [8, 22],
      [12, 19],
      [24, 28],
      [30, 32],
    ]);
  });
  test("semantic tokens classify declarations, references, values and literals", () => {
    const { r, symbols } = analyse();
    const toks = ide.classifyTokens(r.syntax, symbols).map((t) => `${POLICY.slice(t.start, t.end)}:${t.type}${t.declaration ? "*" : ""}`);
    expect(toks.slice(0, 8)).toEqual([
      "policy:keyword",
      "p:namespace*",
      "version:keyword",
      "1:number",
      "owner:keyword",
      '"team":string',
      "source:keyword",
      "user:variable*",
    ]);
    expect(toks).toContain("talks_to:keyword");
    expect(toks).toContain("backend:class");
    expect(toks).toContain("query:interface");
    expect(toks).toContain("wire:function");
    expect(toks).toContain("high:enumMember");
    expect(toks).toContain("amount:parameter");
    expect(toks).toContain("approval:enumMember");
  });
  test("code lens: per-agent counts and review status", () => {
    const { r } = analyse();
    expect(ide.codeLenses(r.file, r.bundle, "2026-11-14").map((l) => l.title)).toEqual([
      "not reviewed",
      "2 tools · 1 high · 1 needs approval",
      "1 tool · 0 high · 0 need approval",
    ]);
    const reviewed = POLICY.replace(
      'owner "team"',
      `owner "team"\n  review { by "security/alice" on 2026-11-02 digest "${r.bundle.digest}" }`,
    );
    const again = checkText(reviewed);
    expect(ide.codeLenses(again.file, again.bundle, "2026-11-14")[0]!.title).toBe("reviewed by security/alice 12 days ago");
    const changed = checkText(reviewed.replace("rate 10 per 1h", "rate 11 per 1h"));
    expect(ide.codeLenses(changed.file, changed.bundle, "2026-11-14")[0]!.title).toBe(
      "changed since review by security/alice on 2026-11-02",
    );
  });
});

describe("line edits", () => {
  test.each([
    ["a\nb\nc\n", "a\nB\nc\nd\n"],
    ["", "x\n"],
    ["x\ny\n", ""],
    ["1\n2\n3\n4\n5\n", "0\n1\n3\n5\n6\n"],
    ["same\n", "same\n"],
  ])("applying the edits of %j → %j gives the target", (before, after) => {
    let out = before;
    for (const e of [...ide.lineEdits(before, after)].reverse()) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
    expect(out).toBe(after);
  });
});

describe("review findings", () => {
  test("rename refuses a keyword, which would change how the policy parses", async () => {
    const { indexSymbols, rename } = ide;
    const { parse } = await import("../src/index.js");
    const text = (await import("node:fs")).readFileSync(new URL("../../examples/procurement.charter", import.meta.url), "utf8");
    const at = text.indexOf("submitInvoiceQuery");
    const r = rename(indexSymbols(parse(text).file), at, "tool");
    expect(r.ok).toBe(false);
    expect(rename(indexSymbols(parse(text).file), at, "submitInvoice").ok).toBe(true);
  });

  test("completion finds a partly typed non-ASCII name", async () => {
    const { wordAt } = await import("../src/ide/context.js");
    expect(wordAt("reads donné", 11).text).toBe("donné");
  });
});
