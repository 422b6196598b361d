// The outline (policy → sources, defaults, agents → tools, tests) and the folding ranges of a
// file. Spans are offsets; the server turns them into lines.

import type { IToken } from "chevrotain";
import type * as A from "../ast.js";
import { toolsOf } from "../compile.js";
import type { SItem, SyntaxTree } from "../syntax.js";

export type OutlineKind = "policy" | "source" | "defaults" | "agent" | "tool" | "block" | "test";

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: OutlineKind;
  span: A.Span;
  /** the name, or the keyword for unnamed blocks */
  selection: A.Span;
  children: OutlineSymbol[];
}

const propValue = (items: readonly { kind: string; key?: string; value?: unknown }[], key: string): string => {
  const v = items.find((i) => i.kind === "prop" && i.key === key)?.value as { value?: unknown } | undefined;
  return v?.value === undefined ? "" : String(v.value);
};

export function outline(file: A.CharterFile): OutlineSymbol[] {
  const top: OutlineSymbol[] = [];
  for (const d of file.decls) {
    switch (d.kind) {
      case "source":
        top.push({
          name: d.name.value,
          detail: [
            propValue(d.items, "trust") && `trust ${propValue(d.items, "trust")}`,
            propValue(d.items, "threshold") && `threshold ${propValue(d.items, "threshold")}`,
          ]
            .filter(Boolean)
            .join(" "),
          kind: "source",
          span: d.span,
          selection: d.name.span,
          children: [],
        });
        break;
      case "defaults":
        top.push({
          name: "defaults",
          detail: d.items.map((i) => i.kind).join(", "),
          kind: "defaults",
          span: d.span,
          selection: d.keywordSpan,
          children: d.items.map((i) => block(i.kind, i.span, i.keywordSpan)),
        });
        break;
      case "agent": {
        const children: OutlineSymbol[] = toolsOf(d).map((t) => ({
          name: t.name.value,
          detail: [propValue(t.items, "scope"), propValue(t.items, "tier") && `tier ${propValue(t.items, "tier")}`]
            .filter(Boolean)
            .join(" · "),
          kind: "tool" as const,
          span: t.span,
          selection: t.name.span,
          children: [],
        }));
        for (const i of d.items)
          if (i.kind === "sandbox" || i.kind === "monitor" || i.kind === "audit") children.push(block(i.kind, i.span, i.keywordSpan));
        children.sort((x, y) => x.span.start - y.span.start);
        top.push({ name: d.name.value, detail: propValue(d.items, "kind"), kind: "agent", span: d.span, selection: d.name.span, children });
        break;
      }
      case "test":
        top.push({
          name: d.name.value,
          detail: `${d.expects.length} expectations`,
          kind: "test",
          span: d.span,
          selection: d.name.span.end > d.name.span.start ? d.name.span : d.keywordSpan,
          children: [],
        });
        break;
    }
  }
  const policy = file.decls.find((d): d is A.PolicyDecl => d.kind === "policy");
  if (!policy) return top;
  // the policy holds the whole file, so that the tree reads policy → agents → tools
  return [
    {
      name: policy.name.value,
      detail: `owner ${propValue(policy.items, "owner") || "(none)"}`,
      kind: "policy",
      span: file.span,
      selection: policy.name.span.end > policy.name.span.start ? policy.name.span : policy.keywordSpan,
      children: top,
    },
  ];
}

function block(name: string, span: A.Span, keywordSpan: A.Span): OutlineSymbol {
  return { name, detail: "", kind: "block", span, selection: keywordSpan, children: [] };
}

export interface FoldingSpan {
  start: number;
  end: number;
  kind: "region" | "comment";
}

/** Every `{ … }` and `[ … ]` block and every block comment or run of line comments. */
export function foldingSpans(syntax: SyntaxTree, text: string): FoldingSpan[] {
  const out: FoldingSpan[] = [];
  const visit = (items: readonly SItem[]) => {
    for (const item of items) {
      for (const op of item.operands) {
        if (op.t === "tok") continue;
        out.push({ start: op.start, end: op.end, kind: "region" });
        if (op.t === "block") visit(op.items);
      }
    }
  };
  visit(syntax.items);
  let run: IToken[] = [];
  const flush = () => {
    if (run.length > 1)
      out.push({ start: run[0]!.startOffset, end: run[run.length - 1]!.startOffset + run[run.length - 1]!.image.length, kind: "comment" });
    run = [];
  };
  for (const c of syntax.comments) {
    if (c.image.startsWith("/*")) {
      flush();
      out.push({ start: c.startOffset, end: c.startOffset + c.image.length, kind: "comment" });
      continue;
    }
    const prev = run[run.length - 1];
    // line comments fold together when only one line break separates them
    if (prev && !/^[ \t]*\r?\n[ \t]*$/.test(text.slice(prev.startOffset + prev.image.length, c.startOffset))) flush();
    run.push(c);
  }
  flush();
  return out.sort((a, b) => a.start - b.start);
}
