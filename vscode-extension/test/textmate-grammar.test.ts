// The TextMate grammar of the VS Code extension, run by the real engine (vscode-textmate with the
// oniguruma WASM): the scopes of keywords, names, strings, durations, comments and forbidden grants
// on the examples.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";
import { ROOT } from "../../server/test/lsp-session.js";

import { CONSTRAINTS, SCHEMA, type Shape } from "@charter/language";

let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(join(ROOT, "node_modules/vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.charter"
        ? textmate.parseRawGrammar(
            readFileSync(join(ROOT, "vscode-extension/syntaxes/charter.tmLanguage.json"), "utf8"),
            "charter.tmLanguage.json",
          )
        : null,
  });
  grammar = (await registry.loadGrammar("source.charter"))!;
});

/** The innermost scope of every token of `line` as "text=scope", whitespace left out. */
function scopes(text: string): string[][] {
  let stack = textmate.INITIAL;
  return text.split("\n").map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens
      .map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]!] as const)
      .filter(([s]) => s.trim() !== "")
      .map(([s, scope]) => `${s.trim()}=${scope}`);
  });
}

function scopeOf(file: string, lineText: string, word: string): string {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(lineText));
  if (i < 0) throw new Error(`no line with ${lineText} in ${file}`);
  const all = scopes(lines.slice(0, i + 1).join("\n"));
  const hit = all[i]!.find((t) => t.startsWith(`${word}=`));
  if (!hit) throw new Error(`no token ${word} on line ${i + 1}: ${all[i]!.join(" ")}`);
  return hit.slice(word.length + 1);
}

describe("charter.tmLanguage.json", () => {
  test("declarations, keywords and values in procurement.charter", () => {
    expect(scopes("policy procurement {")[0]).toEqual([
      "policy=keyword.declaration.policy.charter",
      "procurement=entity.name.namespace.policy.charter",
      "{=punctuation.section.block.begin.charter",
    ]);
    const f = "examples/procurement.charter";
    expect(scopeOf(f, "agent procurement-assistant-v2", "procurement-assistant-v2")).toBe("entity.name.type.agent.charter");
    expect(scopeOf(f, "tool createDraftPO", "createDraftPO")).toBe("entity.name.function.tool.charter");
    expect(scopeOf(f, "source rag", "rag")).toBe("entity.name.variable.source.charter");
    expect(scopeOf(f, "    tier high", "tier")).toBe("keyword.other.charter");
    expect(scopeOf(f, "    tier high", "high")).toBe("constant.language.charter");
    expect(scopeOf(f, "reads user, rag, internal", "internal")).toBe("entity.name.variable.source.charter");
    expect(scopeOf(f, "talks_to invoice-agent", "invoice-agent")).toBe("entity.name.type.agent.charter");
    expect(scopeOf(f, "talks_to invoice-agent", "submitInvoiceQuery")).toBe("entity.name.interface.charter");
    expect(scopeOf(f, "deny externalEmail", "paymentExecution")).toBe("entity.name.function.tool.charter");
    expect(scopeOf(f, "call paymentExecution", "paymentExecution")).toBe("entity.name.function.tool.charter");
    expect(scopeOf(f, "department: one of", "department")).toBe("variable.parameter.charter");
    expect(scopeOf(f, "tool_rate      >", "=>")).toBe("keyword.operator.arrow.charter");
  });

  test("literals: strings, durations, sizes, multipliers, dates, numbers", () => {
    const f = "examples/procurement.charter";
    expect(scopeOf(f, 'owner "procurement-eng"', "procurement-eng")).toBe("string.quoted.double.charter");
    expect(scopeOf(f, 'owner "procurement-eng"', '"')).toBe("punctuation.definition.string.begin.charter");
    expect(scopeOf(f, "cadence 90d", "90d")).toBe("constant.numeric.duration.charter");
    expect(scopeOf(f, "timeout 15m", "15m")).toBe("constant.numeric.duration.charter");
    expect(scopeOf(f, "memory 512MiB", "512MiB")).toBe("constant.numeric.size.charter");
    expect(scopeOf(f, "tool_rate      >", "2.0x")).toBe("constant.numeric.multiplier.charter");
    expect(scopeOf(f, "on 2026-11-02", "2026-11-02")).toBe("constant.numeric.date.charter");
    expect(scopeOf(f, "source api", "0.70")).toBe("constant.numeric.charter");
  });

  test("comments, line and block, and keywords inside them stay comments", () => {
    expect(scopes("// tier high agent x")[0]).toEqual([
      "//=punctuation.definition.comment.charter",
      "tier high agent x=comment.line.double-slash.charter",
    ]);
    const block = scopes("/* agent x {\n tier high */ agent y {}");
    expect(block[1]!.slice(0, 2)).toEqual(["tier high=comment.block.charter", "*/=punctuation.definition.comment.end.charter"]);
    expect(block[1]![2]).toBe("agent=keyword.declaration.agent.charter");
    expect(scopeOf("examples/customer-support.charter", "/* Sources, least trusted first", "/*")).toBe(
      "punctuation.definition.comment.begin.charter",
    );
    expect(scopeOf("examples/customer-support.charter", "source email", "inbound customer mail")).toBe("comment.line.double-slash.charter");
  });

  test("strings keep escapes and hide keywords; forbidden grants are marked invalid", () => {
    expect(scopes('owner "tier \\"high\\""')[0]).toEqual([
      "owner=keyword.other.charter",
      '"=punctuation.definition.string.begin.charter',
      "tier=string.quoted.double.charter",
      '\\"=constant.character.escape.charter',
      "high=string.quoted.double.charter",
      '\\"=constant.character.escape.charter',
      '"=punctuation.definition.string.end.charter',
    ]);
    expect(scopeOf("examples/invalid/CH2002-exclusion-grant.charter", "allow all", "allow all")).toBe("invalid.illegal.grant.charter");
    expect(scopeOf("examples/invalid/CH2005-inheritance.charter", "extends", "extends")).toBe("invalid.illegal.grant.charter");
  });
});

describe("the TextMate grammar knows the language's grammar", () => {
  test("every keyword, connective word and closed value of schema.ts is highlighted", () => {
    const words = new Set<string>();
    let constraintsSeen = false;
    const walk = (s: Shape): void => {
      if (s.t === "seq") s.parts.forEach(walk);
      else if (s.t === "alt") s.options.forEach(walk);
      else if (s.t === "opt") walk(s.shape);
      else if (s.t === "names") walk(s.item);
      else if (s.t === "word") words.add(s.word);
      else if (s.t === "enum") for (const v of s.vocab.values) words.add(v);
      else if (s.t === "constraint") constraintsSeen = true;
    };
    for (const block of Object.values(SCHEMA)) {
      for (const [key, info] of Object.entries(block)) {
        if (info.forbidden) continue;
        words.add(key);
        walk(info.shape);
      }
    }
    const unhighlighted = [...words].filter((w) => {
      const line = scopes(`x ${w} y`)[0]!;
      const hit = line.find((t) => t.startsWith(`${w}=`));
      return !hit || !/keyword|constant\.language|entity\.name/.test(hit);
    });
    expect(unhighlighted).toEqual([]);
    expect(constraintsSeen).toBe(true);
  });
  test("every constraint form of schema.ts is highlighted as a constraint", () => {
    const forms = Object.entries(CONSTRAINTS).flatMap(([head, c]) => {
      const options = c.shape.t === "alt" ? c.shape.options : [c.shape];
      return options.map((o) =>
        [
          head,
          ...(o.t === "seq" ? o.parts : [o])
            .filter((p, i, all) => p.t === "word" && all.slice(0, i).every((q) => q.t === "word"))
            .map((p) => (p as { word: string }).word),
        ].join(" "),
      );
    });
    const missed = forms.filter(
      (form) =>
        !scopes(`  x: ${form} y`)[0]!.some(
          (t) =>
            t.startsWith(`${form.split(" ").slice(0, 2).join(" ")}=keyword.other.constraint`) ||
            t.startsWith(`${form}=keyword.other.constraint`),
        ),
    );
    expect(missed).toEqual([]);
  });
});
