// Turns the uniform syntax tree into the typed AST, statement by statement. Each statement's
// operands are read with a small cursor; anything that does not fit is reported where it stands
// (CH0001 shape, CH0002 unknown keyword or value, CH0003 bad literal) and decoding goes on with
// the next statement, so one mistake never hides the rest of the file.

import type { IToken } from "chevrotain";
import type * as A from "./ast.js";
import { closest, type Code, type RawDiagnostic } from "./diagnostics.js";
import { Arrow, Comma, DateLiteral, Gt, GtEq, Quantity, Star, StringLiteral, Word } from "./lexer.js";
import { keywordInfo, keywordsOf, SCHEMA, type BlockKind } from "./schema.js";
import type { SBlock, SItem, SList, SOperand } from "./syntax.js";

type ValueKind = "string" | "number" | "int" | "duration" | "size" | "date" | "multiplier" | "list" | { enum: readonly string[]; what: string };

const en = (values: readonly string[], what: string) => ({ enum: values, what });

/** Statements of the form `key value`. */
const SIMPLE: Partial<Record<BlockKind, Record<string, ValueKind>>> = {
  policy: { version: "int", owner: "string" },
  review: { by: "string", on: "date", digest: "string", cadence: "duration", signature: "string" },
  source: { trust: en(["untrusted", "low", "medium", "high"], "trust level"), threshold: "number" },
  agent: { kind: en(["conversational", "code-executing", "document-processing"], "agent kind") },
  tool: {
    scope: en(["read", "write", "send", "delete", "execute"], "scope"),
    tier: en(["low", "medium", "high"], "tier"),
    reversal: "string",
    pin: "string",
  },
  // `approve` is decoded so that the checker can reject it with CH3004 rather than CH0002
  approval: { approvers: "list", timeout: "duration", on_timeout: en(["reject", "approve"], "timeout outcome") },
  sandbox: {
    filesystem: en(["none", "read-only", "ephemeral", "persistent"], "filesystem mode"),
    network: "list",
    cpu: "number",
    memory: "size",
    time: "duration",
    output: "string",
  },
  audit: { retention: "duration", pii: en(["hash", "redact", "raw"], "PII mode"), store: "string" },
};

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
const QUANTITY = /^(-?\d+(?:\.\d+)?)([A-Za-z]*)$/;

const BLOCK_NAMES: Partial<Record<BlockKind, string>> = {
  file: "at the top level of a file",
  policy: "in a policy block",
  review: "in a review block",
  source: "in a source block",
  defaults: "in defaults",
  agent: "in an agent",
  tool: "in a tool",
  approval: "in an approval block",
  sandbox: "in a sandbox",
  monitor: "in a monitor block",
  audit: "in an audit block",
  test: "in a test",
};

/** Where a misplaced keyword belongs, for a hint better than a did-you-mean. */
function homeOf(key: string, except: BlockKind): BlockKind | undefined {
  for (const kind of Object.keys(SCHEMA) as BlockKind[]) {
    const info = keywordInfo(kind, key);
    if (kind !== except && kind !== "file" && info && !info.forbidden) return kind;
  }
  return undefined;
}

class ItemCursor {
  i = 0;
  constructor(
    readonly item: SItem,
    readonly d: Decoder,
  ) {}
  get ops(): SOperand[] {
    return this.item.operands;
  }
  peek(): SOperand | undefined {
    return this.ops[this.i];
  }
  peekTok(): IToken | undefined {
    const op = this.ops[this.i];
    return op?.t === "tok" ? op.tok : undefined;
  }
  atWord(value: string): boolean {
    const t = this.peekTok();
    return !!t && t.tokenType === Word && t.image === value;
  }
  done(): boolean {
    return this.i >= this.ops.length;
  }
  /** Span just after the last operand consumed (for "expected X after …"). */
  here(): A.Span {
    const op = this.ops[this.i];
    if (op) return { start: op.start, end: op.end };
    const end = this.prevEnd();
    return { start: Math.max(this.item.start, end - 1), end };
  }
  missing(what: string): undefined {
    const op = this.ops[this.i];
    const found = op ? describeOperand(op) : "the end of the statement";
    this.d.error("CH0001", this.here(), `expected ${what} after '${this.d.text.slice(this.item.start, this.prevEnd()).trim()}', found ${found}`);
    // the rest of the statement cannot be read once a piece is missing
    this.i = this.ops.length;
    return undefined;
  }
  prevEnd(): number {
    const last = this.ops[this.i - 1];
    return last ? last.end : this.item.colon ? this.item.colon.startOffset + 1 : this.item.key.startOffset + this.item.key.image.length;
  }
  /** Everything after a complete statement is reported once, as one range. */
  end(): void {
    if (this.done()) return;
    const first = this.ops[this.i]!;
    const last = this.ops[this.ops.length - 1]!;
    const complete = this.d.text.slice(this.item.start, this.prevEnd()).trim();
    this.d.error("CH0001", { start: first.start, end: last.end }, `unexpected ${describeOperand(first)} after '${complete}'`, "each statement is one keyword and its value; check for a missing keyword or a stray value");
    this.i = this.ops.length;
  }
  word(what: string): A.Name | undefined {
    const t = this.peekTok();
    if (!t || t.tokenType !== Word) return this.missing(what);
    this.i++;
    if (!this.d.usableName(t.image, tokSpan(t))) {
      this.i = this.ops.length;
      return undefined;
    }
    return { value: t.image, span: tokSpan(t) };
  }
  keyword(value: string): boolean {
    if (this.atWord(value)) {
      this.i++;
      return true;
    }
    this.missing(`'${value}'`);
    return false;
  }
  punct(type: typeof Arrow, shown: string): boolean {
    const t = this.peekTok();
    if (t && t.tokenType === type) {
      this.i++;
      return true;
    }
    this.missing(shown);
    return false;
  }
  block(): SBlock | undefined {
    const op = this.peek();
    if (op?.t === "block") {
      this.i++;
      return op;
    }
    return this.missing("'{'");
  }
  value(kind: ValueKind): A.Literal | undefined {
    const op = this.peek();
    if (kind === "list") {
      if (op?.t !== "list") return this.missing("a list such as [\"a\", \"b\"]");
      this.i++;
      return this.d.list(op);
    }
    const t = this.peekTok();
    if (typeof kind === "object") {
      if (!t || t.tokenType !== Word) return this.missing(`a ${kind.what} (${orList(kind.enum.filter((v) => v !== "approve"))})`);
      this.i++;
      if (!kind.enum.includes(t.image)) {
        const shown = kind.enum.filter((v) => v !== "approve");
        const guess = closest(t.image, shown);
        this.d.error("CH0002", tokSpan(t), `unknown ${kind.what} '${t.image}': expected ${orList(shown)}`, guess ? `did you mean '${guess}'?` : undefined, guess);
      }
      return { kind: "word", value: t.image, span: tokSpan(t) };
    }
    switch (kind) {
      case "string": {
        if (!t || t.tokenType !== StringLiteral) return this.missing("a string in double quotes");
        this.i++;
        return this.d.string(t);
      }
      case "date": {
        if (!t || (t.tokenType !== DateLiteral && t.tokenType !== Quantity)) return this.missing("a date (YYYY-MM-DD)");
        this.i++;
        return this.d.date(t);
      }
      default: {
        if (!t || t.tokenType !== Quantity) return this.missing(kind === "int" || kind === "number" ? "a number" : `a ${kind}`);
        this.i++;
        return this.d.quantity(t, kind);
      }
    }
  }
}

/** A table lookup by user text that never reaches Object.prototype (`constructor`, `__proto__`). */
function own<T>(table: Record<string, T> | undefined, key: string): T | undefined {
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}

function orList(values: readonly string[]): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

function tokSpan(t: IToken): A.Span {
  return { start: t.startOffset, end: t.startOffset + t.image.length };
}

function describeOperand(op: SOperand): string {
  if (op.t === "list") return "a list";
  if (op.t === "block") return "a '{' block";
  const img = op.tok.image;
  return `'${img.length > 30 ? img.slice(0, 30) + "…" : img}'`;
}

export class Decoder {
  diags: RawDiagnostic[] = [];
  constructor(readonly text: string) {}

  error(code: Code, span: A.Span, message: string, help?: string, replacement?: string): void {
    const d: RawDiagnostic = { code, message, span };
    if (help) d.help = help;
    if (replacement !== undefined) d.fix = { title: `Replace with '${replacement}'`, edits: [{ span, newText: replacement }] };
    this.diags.push(d);
  }

  /** The declarations of top-level statements; their problems accumulate in `diags`. */
  decls(items: SItem[]): A.Decl[] {
    const decls: A.Decl[] = [];
    for (const item of items) {
      const decl = this.decl(item);
      if (decl) decls.push(decl);
    }
    return decls;
  }

  /** `__proto__` would vanish from every JSON object the bundle is made of: it cannot be a name. */
  usableName(name: string, span: A.Span): boolean {
    if (name !== "__proto__") return true;
    this.error("CH0003", span, "'__proto__' cannot be used as a name", "choose another name: this one has a special meaning in the JSON bundle");
    return false;
  }

  private span(item: SItem): A.Span {
    return { start: item.start, end: item.end };
  }

  private unknown(item: SItem, kind: BlockKind): void {
    const key = item.key.image;
    const where = BLOCK_NAMES[kind] ?? "here";
    if (item.key.tokenType === StringLiteral) {
      this.error("CH0001", tokSpan(item.key), `expected a keyword ${where}, found the string ${key}`);
      return;
    }
    const home = homeOf(key, kind);
    if (home && kind !== "unknown") {
      this.error("CH0002", tokSpan(item.key), `'${key}' is not valid ${where}`, `'${key}' belongs ${BLOCK_NAMES[home] ?? `in a ${home} block`}`);
      return;
    }
    const candidates = keywordsOf(kind);
    const guess = closest(key, candidates);
    const help = guess ? `did you mean '${guess}'?` : candidates.length ? `valid here: ${candidates.join(", ")}` : undefined;
    this.error("CH0002", tokSpan(item.key), `unknown keyword '${key}' ${where}`, help, guess);
  }

  private decl(item: SItem): A.Decl | undefined {
    const c = new ItemCursor(item, this);
    const key = item.key.image;
    const keywordSpan = tokSpan(item.key);
    switch (key) {
      case "policy": {
        const name = c.word("the policy's name");
        const body = name && c.block();
        c.end();
        if (!name || !body) return undefined;
        return { kind: "policy", span: this.span(item), keywordSpan, name, items: this.items(body, (i) => this.policyItem(i)) };
      }
      case "source": {
        const name = c.word("the source's name");
        const body = name && c.block();
        c.end();
        if (!name || !body) return undefined;
        return { kind: "source", span: this.span(item), keywordSpan, name, items: this.simpleItems(body) as A.SourceItem[] };
      }
      case "defaults": {
        const body = c.block();
        c.end();
        if (!body) return undefined;
        const items = this.items(body, (i): A.MonitorBlock | A.AuditBlock | undefined => {
          if (i.key.image === "monitor" || i.key.image === "audit") return this.monitorOrAudit(i);
          this.unknown(i, "defaults");
          return undefined;
        });
        return { kind: "defaults", span: this.span(item), keywordSpan, items };
      }
      case "agent":
        return this.agent(item, c, keywordSpan);
      case "test": {
        const t = c.peekTok();
        if (!t || t.tokenType !== StringLiteral) {
          c.missing("the test's name in double quotes");
          return undefined;
        }
        c.i++;
        const name = this.string(t);
        const body = c.block();
        c.end();
        if (!body) return undefined;
        return { kind: "test", span: this.span(item), keywordSpan, name, expects: this.items(body, (i) => this.expectation(i)) };
      }
      case "default":
      case "allow":
        return this.forbidden(item, c);
      default:
        this.unknown(item, "file");
        return undefined;
    }
  }

  private items<T>(body: SBlock, decode: (item: SItem) => T | undefined): T[] {
    const out: T[] = [];
    for (const item of body.items) {
      const v = decode(item);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  /** Items of a block made only of `key value` statements. */
  private simpleItems(body: SBlock): A.Prop[] {
    return this.items(body, (i) => this.simple(i, body.kind));
  }

  private simple(item: SItem, kind: BlockKind): A.Prop | undefined {
    const valueKind = own(SIMPLE[kind], item.key.image);
    if (!valueKind || item.key.tokenType !== Word) {
      this.unknown(item, kind);
      return undefined;
    }
    const c = new ItemCursor(item, this);
    const value = c.value(valueKind);
    c.end();
    if (!value) return undefined;
    return { kind: "prop", key: item.key.image, keySpan: tokSpan(item.key), value, span: this.span(item) };
  }

  private policyItem(item: SItem): A.PolicyItem | undefined {
    if (item.key.image === "review") {
      const c = new ItemCursor(item, this);
      const body = c.block();
      c.end();
      if (!body) return undefined;
      return { kind: "review", span: this.span(item), keywordSpan: tokSpan(item.key), items: this.simpleItems(body) as A.ReviewItem[] };
    }
    return this.simple(item, "policy") as A.PolicyItem | undefined;
  }

  private agent(item: SItem, c: ItemCursor, keywordSpan: A.Span): A.AgentDecl | undefined {
    const name = c.word("the agent's name");
    if (!name) return undefined;
    let inheritance: A.AgentDecl["inheritance"];
    const t = c.peekTok();
    if (t && t.tokenType === Word && (t.image === "extends" || t.image === "inherits")) {
      c.i++;
      const target = c.peekTok()?.tokenType === Word ? c.word("") : undefined;
      const end = target ? target.span.end : t.startOffset + t.image.length;
      inheritance = { keyword: { value: t.image, span: tokSpan(t) }, span: { start: t.startOffset, end } };
      if (target) inheritance.target = target;
    }
    const body = c.block();
    c.end();
    if (!body) return undefined;
    const decl: A.AgentDecl = { kind: "agent", span: this.span(item), keywordSpan, name, items: this.items(body, (i) => this.agentItem(i)) };
    if (inheritance) decl.inheritance = inheritance;
    return decl;
  }

  private agentItem(item: SItem): A.AgentItem | undefined {
    const key = item.key.image;
    const c = new ItemCursor(item, this);
    const keySpan = tokSpan(item.key);
    switch (key) {
      case "reads":
      case "deny":
      case "exposes": {
        const names = this.names(c, key === "reads" ? "a source name" : key === "deny" ? "a tool name" : "an interface name");
        c.end();
        return names.length ? { kind: "names", key, keySpan, names, span: this.span(item) } : undefined;
      }
      case "talks_to": {
        const links: A.TalksTo["links"] = [];
        do {
          const agent = c.word("the name of the agent to talk to");
          if (!agent) break;
          if (!c.keyword("via")) break;
          const via = c.word("the name of an interface the agent exposes");
          if (!via) break;
          links.push({ agent, via, span: { start: agent.span.start, end: via.span.end } });
        } while (this.comma(c));
        c.end();
        return links.length ? { kind: "talks_to", keySpan, links, span: this.span(item) } : undefined;
      }
      case "tool":
        return this.tool(item, c);
      case "sandbox": {
        const body = c.block();
        c.end();
        if (!body) return undefined;
        return { kind: "sandbox", span: this.span(item), keywordSpan: keySpan, bodySpan: { start: body.start, end: body.end }, items: this.simpleItems(body) as A.SandboxItem[] };
      }
      case "monitor":
      case "audit":
        return this.monitorOrAudit(item);
      case "tools":
      case "allow":
      case "default":
      case "delegate":
      case "inherits":
      case "extends":
        return this.forbidden(item, c);
      default:
        if (own(SIMPLE.agent, key)) return this.simple(item, "agent") as A.AgentItem | undefined;
        this.unknown(item, "agent");
        return undefined;
    }
  }

  /** `tool *`, `allow all except …`, `default allow`, `delegate …`: kept as nodes for the checker. */
  private forbidden(item: SItem, c: ItemCursor): A.ForbiddenItem | undefined {
    const key = item.key.image;
    const text = this.text.slice(item.start, item.end);
    const span = this.span(item);
    const next = c.peekTok();
    c.i = c.ops.length;
    let form: A.ForbiddenItem["form"] | undefined;
    if (key === "tools" && next?.image === "all") form = "tools_all";
    else if (key === "allow") form = item.operands.some((o) => o.t === "tok" && o.tok.image === "except") ? "except" : "allow_all";
    else if (key === "default" && next?.image === "allow") form = "default_allow";
    else if (key === "delegate") form = "delegate";
    else if (key === "inherits" || key === "extends") form = "inherits";
    if (!form) {
      this.unknown(item, "agent");
      return undefined;
    }
    return { kind: "forbidden", form, text, span };
  }

  private tool(item: SItem, c: ItemCursor): A.ToolDecl | A.ForbiddenItem | undefined {
    const t = c.peekTok();
    if (t && (t.tokenType === Star || (t.tokenType === StringLiteral && t.image.includes("*")) || (t.tokenType === Word && t.image === "all"))) {
      c.i = c.ops.length;
      return { kind: "forbidden", form: "wildcard_tool", text: this.text.slice(item.start, item.end), span: this.span(item) };
    }
    const name = c.word("the tool's name");
    const body = name && c.block();
    c.end();
    if (!name || !body) return undefined;
    const items = this.items(body, (i) => this.toolItem(i));
    return { kind: "tool", span: this.span(item), keywordSpan: tokSpan(item.key), name, bodySpan: { start: body.start, end: body.end }, items };
  }

  private toolItem(item: SItem): A.ToolItem | undefined {
    const key = item.key.image;
    const c = new ItemCursor(item, this);
    const keySpan = tokSpan(item.key);
    switch (key) {
      case "rate": {
        const count = c.value("int") as A.NumberLit | undefined;
        const ok = count && c.keyword("per");
        const per = ok ? (c.value("duration") as A.DurationLit | undefined) : undefined;
        c.end();
        if (!count || !per) return undefined;
        return { kind: "rate", keySpan, count, per, span: this.span(item) };
      }
      case "approval": {
        const body = c.block();
        c.end();
        if (!body) return undefined;
        return { kind: "approval", span: this.span(item), keywordSpan: keySpan, bodySpan: { start: body.start, end: body.end }, items: this.simpleItems(body) as A.ApprovalItem[] };
      }
      case "args": {
        const body = c.block();
        c.end();
        if (!body) return undefined;
        return { kind: "args", span: this.span(item), keywordSpan: keySpan, args: this.items(body, (i) => this.argConstraint(i)) };
      }
      default:
        return this.simple(item, "tool") as A.ToolItem | undefined;
    }
  }

  private argConstraint(item: SItem): A.ArgConstraint | undefined {
    if (!item.colon) {
      this.error("CH0001", tokSpan(item.key), `expected ':' after the argument name '${item.key.image}'`, "write each constraint as NAME: CONSTRAINT, e.g. amount: number max 1000");
      return undefined;
    }
    const name: A.Name = { value: item.key.tokenType === StringLiteral ? this.string(item.key).value : item.key.image, span: tokSpan(item.key) };
    if (!this.usableName(name.value, name.span)) return undefined;
    const c = new ItemCursor(item, this);
    const first = c.peekTok();
    const start = first ? first.startOffset : item.colon.startOffset;
    const spanTo = (): A.Span => ({ start, end: c.prevEnd() });
    const listAfter = (...words: string[]): A.ListLit | undefined => {
      for (const w of words) if (!c.keyword(w)) return undefined;
      return c.value("list") as A.ListLit | undefined;
    };
    let constraint: A.Constraint | undefined;
    const head = first?.tokenType === Word ? first.image : undefined;
    if (head) c.i++;
    switch (head) {
      case "one":
      case "subset": {
        const values = listAfter("of");
        if (values) constraint = { kind: head === "one" ? "one_of" : "subset_of", values, span: spanTo() };
        break;
      }
      case "email":
      case "url": {
        const domains = listAfter("in", "domains");
        if (domains) constraint = { kind: head === "email" ? "email_in_domains" : "url_in_domains", domains, span: spanTo() };
        break;
      }
      case "number": {
        if (c.atWord("between")) {
          c.i++;
          const min = c.value("number") as A.NumberLit | undefined;
          const max = min && c.keyword("and") ? (c.value("number") as A.NumberLit | undefined) : undefined;
          if (min && max) constraint = { kind: "number_between", min, max, span: spanTo() };
        } else if (c.atWord("max")) {
          c.i++;
          const max = c.value("number") as A.NumberLit | undefined;
          if (max) constraint = { kind: "number_max", max, span: spanTo() };
        } else c.missing("'between A and B' or 'max N'");
        break;
      }
      case "string": {
        const max = c.keyword("max") ? (c.value("int") as A.NumberLit | undefined) : undefined;
        if (max) constraint = { kind: "string_max", max, span: spanTo() };
        break;
      }
      case "any":
        constraint = { kind: "any", span: spanTo() };
        break;
      default: {
        const shapes = ["one of [..]", "subset of [..]", "email in domains [..]", "url in domains [..]", "number between A and B", "number max N", "string max N", "any"];
        if (first?.tokenType === Star || (first?.tokenType === StringLiteral && first.image.includes("*"))) {
          this.error("CH2004", tokSpan(first), `wildcard constraint on argument '${name.value}'`, "constrain the argument explicitly, e.g. one of [\"a\", \"b\"]; use `any` only when it truly is unconstrained");
          c.i = c.ops.length;
          return undefined;
        }
        if (head) {
          const guess = closest(head, ["one", "subset", "email", "url", "number", "string", "any"]);
          this.error("CH0002", tokSpan(first!), `unknown constraint '${head}' for argument '${name.value}'`, guess ? `did you mean '${guess}'? constraints: ${shapes.join(", ")}` : `constraints: ${shapes.join(", ")}`);
          c.i = c.ops.length;
          return undefined;
        }
        c.missing(`a constraint (${shapes.join(", ")})`);
      }
    }
    c.end();
    if (!constraint) return undefined;
    return { name, constraint, span: this.span(item) };
  }

  private monitorOrAudit(item: SItem): A.MonitorBlock | A.AuditBlock | undefined {
    const c = new ItemCursor(item, this);
    const body = c.block();
    c.end();
    if (!body) return undefined;
    const keywordSpan = tokSpan(item.key);
    if (item.key.image === "audit") return { kind: "audit", span: this.span(item), keywordSpan, items: this.simpleItems(body) as A.AuditItem[] };
    return { kind: "monitor", span: this.span(item), keywordSpan, rules: this.items(body, (i) => this.monitorRule(i)) };
  }

  private monitorRule(item: SItem): A.MonitorRule | undefined {
    const key = item.key.image;
    const c = new ItemCursor(item, this);
    const keySpan = tokSpan(item.key);
    const span = this.span(item);
    let rule: A.MonitorRule | undefined;
    switch (key) {
      case "tool_rate":
      case "data_volume": {
        if (!c.punct(Gt, "'>'")) break;
        const multiplier = c.value("multiplier") as A.MultiplierLit | undefined;
        if (!multiplier || !c.keyword("baseline")) break;
        if (key === "tool_rate") {
          if (!c.keyword("within")) break;
          const window = c.value("duration") as A.DurationLit | undefined;
          const action = window && this.ruleAction(c);
          if (window && action) rule = { kind: "tool_rate", span, keySpan, multiplier, window, action };
        } else {
          if (!c.keyword("per") || !c.keyword("session")) break;
          const action = this.ruleAction(c);
          if (action) rule = { kind: "data_volume", span, keySpan, multiplier, action };
        }
        break;
      }
      case "novel_sequence": {
        if (!c.punct(GtEq, "'>='")) break;
        const score = c.value("number") as A.NumberLit | undefined;
        const action = score && this.ruleAction(c);
        if (score && action) rule = { kind: "novel_sequence", span, keySpan, score, action };
        break;
      }
      case "output": {
        const what = c.word("'pii' or 'exfiltration'");
        if (!what) break;
        if (what.value !== "pii" && what.value !== "exfiltration") {
          const guess = closest(what.value, ["pii", "exfiltration"]);
          this.error("CH0002", what.span, `unknown output rule '${what.value}': expected pii or exfiltration`, guess ? `did you mean '${guess}'?` : undefined, guess);
          c.i = c.ops.length;
          break;
        }
        const action = this.ruleAction(c);
        if (action) rule = { kind: what.value === "pii" ? "output_pii" : "output_exfiltration", span, keySpan, action };
        break;
      }
      case "external_domain": {
        if (!c.keyword("outside")) break;
        const domains = c.value("list") as A.ListLit | undefined;
        const action = domains && this.ruleAction(c);
        if (domains && action) rule = { kind: "external_domain", span, keySpan, domains, action };
        break;
      }
      default:
        this.unknown(item, "monitor");
        return undefined;
    }
    if (!rule) c.i = c.ops.length;
    else c.end();
    return rule;
  }

  private ruleAction(c: ItemCursor): A.RuleAction | undefined {
    if (!c.punct(Arrow, "'=>' and an action")) return undefined;
    const w = c.word("an action (alert, block or redact)");
    if (!w) return undefined;
    if (w.value !== "alert" && w.value !== "block" && w.value !== "redact") {
      const guess = closest(w.value, ["alert", "block", "redact"]);
      this.error("CH0002", w.span, `unknown action '${w.value}': expected alert, block or redact`, guess ? `did you mean '${guess}'?` : undefined, guess);
      return undefined;
    }
    const action: A.RuleAction = { kind: w.value, span: w.span };
    if (w.value === "alert" && c.peekTok()?.tokenType === Word) {
      const sev = c.value(en(["low", "medium", "high", "critical"], "severity")) as A.WordLit;
      action.severity = sev;
      action.span = { start: w.span.start, end: sev.span.end };
    }
    return action;
  }

  private expectation(item: SItem): A.Expectation | undefined {
    if (item.key.image !== "expect") {
      this.unknown(item, "test");
      return undefined;
    }
    const c = new ItemCursor(item, this);
    const agent = c.word("the agent's name");
    if (!agent || !c.keyword("call")) return void (c.i = c.ops.length);
    const tool = c.word("the tool's name");
    if (!tool) return void (c.i = c.ops.length);
    let args: A.ObjectValue | undefined;
    const op = c.peek();
    if (op?.t === "block") {
      c.i++;
      args = this.object(op);
    }
    if (!c.punct(Arrow, "'=>' and an outcome")) return void (c.i = c.ops.length);
    const outcome = c.value(en(["allow", "deny", "approval"], "outcome")) as A.WordLit | undefined;
    c.end();
    if (!outcome) return undefined;
    const e: A.Expectation = { agent, tool, outcome, span: this.span(item) };
    if (args) e.args = args;
    return e;
  }

  private object(block: SBlock): A.ObjectValue {
    const entries: A.ObjectValue["entries"] = [];
    for (const item of block.items) {
      if (!item.colon) {
        this.error("CH0001", tokSpan(item.key), `expected ':' after '${item.key.image}'`, "arguments are written { name: value, … }");
        continue;
      }
      const key: A.Name = { value: item.key.tokenType === StringLiteral ? this.string(item.key).value : item.key.image, span: tokSpan(item.key) };
      const ops = item.operands.filter((o, i) => !(i === item.operands.length - 1 && o.t === "tok" && o.tok.tokenType === Comma));
      if (ops.length !== 1) {
        const at = ops[1] ?? { start: item.colon.startOffset, end: item.colon.startOffset + 1 };
        this.error("CH0001", { start: at.start, end: at.end }, ops.length ? `expected ',' or '}' after the value of '${key.value}'` : `expected a value for '${key.value}'`);
        continue;
      }
      const value = this.json(ops[0]!);
      if (value) entries.push({ key, value, span: { start: item.start, end: ops[0]!.end } });
    }
    return { kind: "object", entries, span: { start: block.start, end: block.end } };
  }

  private json(op: SOperand): A.JsonValue | undefined {
    const span = { start: op.start, end: op.end };
    if (op.t === "block") return this.object(op);
    if (op.t === "list") {
      const items: A.JsonValue[] = [];
      for (const el of op.items) {
        if (el.t === "tok" && el.tok.tokenType === Comma) continue;
        const v = this.json(el);
        if (v) items.push(v);
      }
      return { kind: "array", items, span };
    }
    const t = op.tok;
    if (t.tokenType === StringLiteral) return { kind: "string", value: this.string(t).value, span };
    if (t.tokenType === Quantity) {
      const n = this.quantity(t, "number") as A.NumberLit;
      return { kind: "number", value: n.value, span };
    }
    if (t.tokenType === Word && (t.image === "true" || t.image === "false")) return { kind: "bool", value: t.image === "true", span };
    if (t.tokenType === Word && t.image === "null") return { kind: "null", span };
    this.error("CH0001", span, `expected a value (string, number, true, false, null, list or object), found '${t.image}'`, t.tokenType === Word ? `quote it: "${t.image}"` : undefined);
    return undefined;
  }

  /** `a, b, c` */
  private names(c: ItemCursor, what: string): A.Name[] {
    const names: A.Name[] = [];
    do {
      const t = c.peekTok();
      if (t && (t.tokenType === Star || (t.tokenType === StringLiteral && t.image.includes("*")))) {
        c.i++;
        this.error("CH2004", tokSpan(t), `wildcard '${t.image}' in '${c.item.key.image}'`, `name each one explicitly: grants and lists in Charter are additive from zero`);
        continue;
      }
      const n = c.word(what);
      if (!n) break;
      names.push(n);
    } while (this.comma(c));
    return names;
  }

  private comma(c: ItemCursor): boolean {
    const t = c.peekTok();
    if (t && t.tokenType === Comma) {
      c.i++;
      return true;
    }
    return false;
  }

  list(op: SList): A.ListLit {
    const items: A.ListElement[] = [];
    let expectValue = true;
    for (const el of op.items) {
      if (el.t === "tok" && el.tok.tokenType === Comma) {
        if (expectValue) this.error("CH0001", { start: el.start, end: el.end }, "expected a value before ','");
        expectValue = true;
        continue;
      }
      if (!expectValue) this.error("CH0001", { start: el.start, end: el.end }, "expected ',' between list elements");
      expectValue = false;
      if (el.t === "tok" && el.tok.tokenType === StringLiteral) items.push(this.string(el.tok));
      else if (el.t === "tok" && el.tok.tokenType === Quantity) items.push(this.quantity(el.tok, "number") as A.NumberLit);
      else if (el.t === "tok" && el.tok.tokenType === Star) items.push({ kind: "string", value: "*", span: { start: el.start, end: el.end } });
      else if (el.t === "tok" && el.tok.tokenType === Word) {
        this.error("CH0001", { start: el.start, end: el.end }, `expected a string, found the bare word '${el.tok.image}'`, `quote it: "${el.tok.image}"`);
      } else this.error("CH0001", { start: el.start, end: el.end }, `expected a string or a number in the list, found ${describeOperand(el)}`);
    }
    return { kind: "list", items, span: { start: op.start, end: op.end } };
  }

  string(t: IToken): A.StringLit {
    const span = tokSpan(t);
    let value: string;
    const closed = t.image.length >= 2 && t.image.endsWith('"') && !t.image.endsWith('\\"');
    try {
      value = JSON.parse(closed ? t.image : t.image + '"') as string;
    } catch {
      this.error("CH0003", span, `invalid escape in string ${t.image}`, 'strings use JSON escapes: \\" \\\\ \\n \\t \\uXXXX');
      value = t.image.slice(1, closed ? -1 : undefined);
    }
    return { kind: "string", value, span };
  }

  date(t: IToken): A.DateLit {
    const span = tokSpan(t);
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t.image);
    const ok = m && isRealDate(+m[1]!, +m[2]!, +m[3]!);
    if (!ok) this.error("CH0003", span, `'${t.image}' is not a valid date`, "write dates as YYYY-MM-DD, e.g. 2026-11-02");
    return { kind: "date", value: t.image, span };
  }

  quantity(t: IToken, kind: "number" | "int" | "duration" | "size" | "multiplier"): A.Literal {
    const span = tokSpan(t);
    const m = QUANTITY.exec(t.image);
    const num = m ? Number(m[1]) : NaN;
    const unit = m ? m[2]! : "";
    const raw = t.image;
    switch (kind) {
      case "number":
      case "int": {
        if (unit) this.error("CH0003", span, `'${raw}' is not a number`, unit === "x" ? "a multiplier is only valid in a monitor rule" : `remove the unit '${unit}'`);
        else if (kind === "int" && !Number.isInteger(num)) this.error("CH0003", span, `'${raw}' must be a whole number`);
        return { kind: "number", value: num, raw, span };
      }
      case "duration": {
        const factor = own(DURATION_UNITS, unit);
        if (!factor) {
          this.error("CH0003", span, unit ? `'${raw}' is not a valid duration: unknown unit '${unit}'` : `'${raw}' is not a valid duration: it has no unit`, "durations are a whole number and a unit: ms, s, m, h or d (e.g. 15m, 365d)");
        } else if (!Number.isInteger(num)) this.error("CH0003", span, `'${raw}' is not a valid duration: use a whole number`, `e.g. ${Math.round(num * (unit === "d" ? 24 : 60))}${unit === "d" ? "h" : unit === "h" ? "m" : "s"}`);
        return { kind: "duration", ms: factor ? num * factor : NaN, raw, span };
      }
      case "size": {
        const factor = own(SIZE_UNITS, unit);
        if (!factor) this.error("CH0003", span, `'${raw}' is not a valid size`, "sizes are a whole number and KiB, MiB or GiB (e.g. 512MiB)");
        else if (!Number.isInteger(num)) this.error("CH0003", span, `'${raw}' is not a valid size: use a whole number`);
        return { kind: "size", bytes: factor ? num * factor : NaN, raw, span };
      }
      case "multiplier": {
        if (unit !== "x") this.error("CH0003", span, `'${raw}' is not a baseline multiplier`, "write multipliers as a number followed by x, e.g. 2.0x");
        return { kind: "multiplier", value: num, raw, span };
      }
    }
  }
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1]!;
}
