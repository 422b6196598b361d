// Turns the uniform syntax tree into the typed AST, statement by statement. Each statement's
// operands are read with a small cursor; anything that does not fit is reported where it stands
// (CH0001 shape, CH0002 unknown keyword or value, CH0003 bad literal) and decoding goes on with
// the next statement, so one mistake never hides the rest of the file.

import type { IToken } from "chevrotain";
import type * as A from "./ast.js";
import { suggest, type Code, type RawDiagnostic } from "./diagnostics.js";
import { Arrow, Comma, DateLiteral, Gt, GtEq, Quantity, Star, StringLiteral, Word } from "./lexer.js";
import {
  article,
  CONSTRAINT_HEADS,
  CONSTRAINTS,
  keywordInfo,
  keywordsOf,
  SCHEMA,
  type BlockKind,
  type LiteralKind,
  type RefKind,
  type Shape,
  type Vocab,
} from "./schema.js";
import { chooseOption, firstLeaves, startsWith, tkOfOperand, type Leaf, type Tk } from "./shape.js";
import type { SBlock, SItem, SList, SOperand } from "./syntax.js";

type ValueKind = LiteralKind | { enum: readonly string[]; what: string; rejected?: readonly string[] };

const en = (v: Vocab): ValueKind =>
  v.rejected ? { enum: v.values, what: v.what, rejected: v.rejected } : { enum: v.values, what: v.what };

/** The value a `key value` statement takes, read from the grammar: one literal or one closed word. */
function simpleValue(kind: BlockKind, key: string): ValueKind | undefined {
  const shape = keywordInfo(kind, key)?.shape;
  if (shape?.t === "lit") return shape.lit;
  if (shape?.t === "enum") return en(shape.vocab);
  return undefined;
}

/** How a grammar element is named in "expected …" messages. */
function describeLeaf(leaf: Leaf): string {
  switch (leaf.t) {
    case "word":
      return `'${leaf.word}'`;
    case "punct":
      return leaf.expect ?? `'${leaf.punct}'`;
    case "comma":
      return "','";
    case "enum":
      return `${article(leaf.vocab.what)} ${leaf.vocab.what} (${orList(leaf.vocab.values)})`;
    case "name":
      return leaf.what;
    case "block":
      return "'{'";
    case "object":
      return "an argument object { name: value, … }";
    case "lit":
      return describeLiteral(leaf.lit);
  }
}

function describeLiteral(kind: LiteralKind): string {
  switch (kind) {
    case "list":
      return 'a list such as ["a", "b"]';
    case "string":
      return "a string in double quotes";
    case "date":
      return "a date (YYYY-MM-DD)";
    case "int":
    case "number":
      return "a number";
    default:
      return `a ${kind}`;
  }
}

/** What a statement's grammar yields, in order: the decoder's builders read these. */
type Cap =
  | { t: "word"; word: string; span: A.Span }
  | { t: "enum"; value: A.WordLit }
  | { t: "lit"; value: A.Literal }
  | { t: "name"; value: A.Name; ref: RefKind }
  | { t: "block"; value: SBlock }
  | { t: "constraint"; value: A.Constraint }
  | { t: "object"; value: A.ObjectValue };

/** Constraints nest (`list of list of …`, objects in objects); deeper than this is refused, not recursed. */
export const MAX_CONSTRAINT_DEPTH = 32;

/** The longest string literal read (UTF-16 code units, quotes included): past it, CH0003. */
export const MAX_STRING_LENGTH = 1024 * 1024;

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
  private tks?: Tk[];
  get ops(): SOperand[] {
    return this.item.operands;
  }
  /** the operands as the grammar's reader sees them (for choosing between alternatives) */
  get readerTokens(): Tk[] {
    return (this.tks ??= this.ops.map(tkOfOperand));
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
    this.d.error(
      "CH0001",
      this.here(),
      `expected ${what} after '${this.d.text.slice(this.item.start, this.prevEnd()).trim()}', found ${found}`,
    );
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
    this.d.error(
      "CH0001",
      { start: first.start, end: last.end },
      `unexpected ${describeOperand(first)} after '${complete}'`,
      "each statement is one keyword and its value; check for a missing keyword or a stray value",
    );
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
  /**
   * Reads the operands by a grammar shape, appending what it yields to `caps`. False when the
   * operands do not fit: the problem is reported where it stands and the statement is abandoned.
   */
  take(shape: Shape, caps: Cap[], depth = 0): boolean {
    switch (shape.t) {
      case "seq":
        for (const p of shape.parts) if (!this.take(p, caps, depth)) return false;
        return true;
      case "opt": {
        const op = this.peek();
        return !op || !startsWith(shape.shape, tkOfOperand(op), false) ? true : this.take(shape.shape, caps, depth);
      }
      case "alt": {
        const chosen = this.done() ? undefined : chooseOption(shape.options, this.readerTokens, this.i);
        if (chosen) return this.take(chosen, caps, depth);
        const empty = shape.options.find((o) => firstLeaves(o).empty);
        if (empty) return this.take(empty, caps, depth);
        this.missing(orList([...new Set(firstLeaves(shape).leaves.map(describeLeaf))]));
        return false;
      }
      case "names": {
        if (!this.take(shape.first ?? shape.item, caps, depth)) return false;
        while (this.peekTok()?.tokenType === Comma) {
          this.i++;
          if (!this.take(shape.item, caps, depth)) return false;
        }
        return true;
      }
      case "word": {
        const t = this.peekTok();
        if (!this.keyword(shape.word)) return false;
        caps.push({ t: "word", word: shape.word, span: tokSpan(t!) });
        return true;
      }
      case "punct": {
        const type = shape.punct === "=>" ? Arrow : shape.punct === ">=" ? GtEq : Gt;
        return this.punct(type, describeLeaf(shape));
      }
      case "enum": {
        const v = this.value(en(shape.vocab)) as A.WordLit | undefined;
        if (!v) return false;
        caps.push({ t: "enum", value: v });
        if (!shape.then) return true;
        // what follows depends on the word: after one outside the set (reported) nothing can be read
        if (!shape.vocab.values.includes(v.value)) {
          this.i = this.ops.length;
          return false;
        }
        const then = own(shape.then, v.value);
        return then ? this.take(then, caps, depth) : true;
      }
      case "lit": {
        const v = this.value(shape.lit);
        if (!v) return false;
        caps.push({ t: "lit", value: v });
        return true;
      }
      case "name": {
        const n = this.word(shape.what);
        if (!n) return false;
        caps.push({ t: "name", value: n, ref: shape.ref });
        return true;
      }
      case "block": {
        const b = this.block();
        if (!b) return false;
        caps.push({ t: "block", value: b });
        return true;
      }
      case "object": {
        const op = this.peek();
        if (op?.t !== "block") return this.missing(describeLeaf(shape)) ?? false;
        this.i++;
        caps.push({ t: "object", value: this.d.object(op) });
        return true;
      }
      case "constraint": {
        const c = this.d.constraint(this, depth + 1);
        if (!c) return false;
        caps.push({ t: "constraint", value: c });
        return true;
      }
    }
  }
  value(kind: ValueKind): A.Literal | undefined {
    const op = this.peek();
    if (kind === "list") {
      if (op?.t !== "list") return this.missing('a list such as ["a", "b"]');
      this.i++;
      return this.d.list(op);
    }
    const t = this.peekTok();
    if (typeof kind === "object") {
      if (!t || t.tokenType !== Word) return this.missing(`${article(kind.what)} ${kind.what} (${orList(kind.enum)})`);
      this.i++;
      if (!kind.enum.includes(t.image) && !kind.rejected?.includes(t.image)) {
        this.d.diags.push(
          suggest("CH0002", tokSpan(t), `unknown ${kind.what} '${t.image}': expected ${orList(kind.enum)}`, t.image, kind.enum),
        );
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

function litAt(caps: readonly Cap[], n: number): A.Literal | undefined {
  let i = 0;
  for (const x of caps) if (x.t === "lit" && i++ === n) return x.value;
  return undefined;
}
function nameAt(caps: readonly Cap[], n: number): A.Name | undefined {
  let i = 0;
  for (const x of caps) if (x.t === "name" && i++ === n) return x.value;
  return undefined;
}
function enumAt(caps: readonly Cap[], n: number): A.WordLit | undefined {
  let i = 0;
  for (const x of caps) if (x.t === "enum" && i++ === n) return x.value;
  return undefined;
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
    this.error(
      "CH0003",
      span,
      "'__proto__' cannot be used as a name",
      "choose another name: this one has a special meaning in the JSON bundle",
    );
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
      this.error(
        "CH0002",
        tokSpan(item.key),
        `'${key}' is not valid ${where}`,
        `'${key}' belongs ${BLOCK_NAMES[home] ?? `in a ${home} block`}`,
      );
      return;
    }
    const candidates = keywordsOf(kind);
    this.diags.push(
      suggest(
        "CH0002",
        tokSpan(item.key),
        `unknown keyword '${key}' ${where}`,
        key,
        candidates,
        candidates.length ? `valid here: ${candidates.join(", ")}` : undefined,
      ),
    );
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
        const steps = this.items(body, (i) => this.testStep(i));
        const expects: A.Expectation[] = [];
        const given: A.Given[] = [];
        for (const step of steps) {
          if (step.kind === "expect") {
            const { kind: _kind, ...e } = step;
            expects.push({ ...e, given: [...given] });
          } else given.push(step);
        }
        return { kind: "test", span: this.span(item), keywordSpan, name, steps, expects };
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
    const valueKind = item.key.tokenType === Word ? simpleValue(kind, item.key.image) : undefined;
    if (!valueKind) {
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
    const decl: A.AgentDecl = {
      kind: "agent",
      span: this.span(item),
      keywordSpan,
      name,
      items: this.items(body, (i) => this.agentItem(i)),
    };
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
        // read by its shape in the grammar: `talks_to A via I, J` and `talks_to A via I, B via J`;
        // the links read before a problem are kept, so their own checks still run
        const caps: Cap[] = [];
        const ok = c.take(SCHEMA.agent.talks_to!.shape, caps);
        if (ok) c.end();
        const links: A.TalksTo["links"] = [];
        let agent: A.Name | undefined;
        for (const x of caps) {
          if (x.t !== "name") continue;
          if (x.ref === "agent") agent = x.value;
          else if (agent) links.push({ agent, via: x.value, span: { start: agent.span.start, end: x.value.span.end } });
        }
        return links.length ? { kind: "talks_to", keySpan, links, span: this.span(item) } : undefined;
      }
      case "after": {
        const caps: Cap[] = [];
        const ok = c.take(SCHEMA.agent.after!.shape, caps);
        c.end();
        if (!ok) return undefined;
        const words = caps.filter((x): x is Extract<Cap, { t: "enum" }> => x.t === "enum").map((x) => x.value);
        const [level, outcome, ...scopes] = words;
        return { kind: "after", keySpan, level: level!, outcome: outcome!, scopes, span: this.span(item) };
      }
      case "tool":
        return this.tool(item, c);
      case "sandbox": {
        const body = c.block();
        c.end();
        if (!body) return undefined;
        return {
          kind: "sandbox",
          span: this.span(item),
          keywordSpan: keySpan,
          bodySpan: { start: body.start, end: body.end },
          items: this.simpleItems(body) as A.SandboxItem[],
        };
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
        if (simpleValue("agent", key)) return this.simple(item, "agent") as A.AgentItem | undefined;
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
    if (
      t &&
      (t.tokenType === Star || (t.tokenType === StringLiteral && t.image.includes("*")) || (t.tokenType === Word && t.image === "all"))
    ) {
      c.i = c.ops.length;
      return { kind: "forbidden", form: "wildcard_tool", text: this.text.slice(item.start, item.end), span: this.span(item) };
    }
    const name = c.word("the tool's name");
    const body = name && c.block();
    c.end();
    if (!name || !body) return undefined;
    const items = this.items(body, (i) => this.toolItem(i));
    return {
      kind: "tool",
      span: this.span(item),
      keywordSpan: tokSpan(item.key),
      name,
      bodySpan: { start: body.start, end: body.end },
      items,
    };
  }

  private toolItem(item: SItem): A.ToolItem | undefined {
    const key = item.key.image;
    const c = new ItemCursor(item, this);
    const keySpan = tokSpan(item.key);
    const span = this.span(item);
    const read = (): Cap[] | undefined => {
      const caps: Cap[] = [];
      const ok = c.take(SCHEMA.tool[key]!.shape, caps);
      c.end();
      return ok ? caps : undefined;
    };
    switch (key) {
      case "rate": {
        const caps = read();
        if (!caps) return undefined;
        const count = litAt(caps, 0) as A.NumberLit;
        const per = litAt(caps, 1) as A.DurationLit | undefined;
        return per ? { kind: "rate", keySpan, count, per, span } : { kind: "session_rate", keySpan, count, span };
      }
      case "returns": {
        const caps = read();
        return caps ? { kind: "returns", keySpan, source: nameAt(caps, 0)!, span } : undefined;
      }
      case "after": {
        const caps = read();
        return caps ? { kind: "flow", keySpan, after: nameAt(caps, 0)!, outcome: enumAt(caps, 0)!, span } : undefined;
      }
      case "when": {
        const caps = read();
        if (!caps) return undefined;
        const how = caps.find((x): x is Extract<Cap, { t: "word" }> => x.t === "word")!;
        const words = caps.filter((x): x is Extract<Cap, { t: "enum" }> => x.t === "enum").map((x) => x.value);
        let test: A.ConditionItem["test"];
        if (how.word === "from") test = { kind: "from", level: words[0]!, span: { start: how.span.start, end: words[0]!.span.end } };
        else {
          const constraint = caps.find((x): x is Extract<Cap, { t: "constraint" }> => x.t === "constraint")!.value;
          test = { kind: "outside", constraint, span: { start: how.span.start, end: constraint.span.end } };
        }
        return { kind: "when", keySpan, arg: nameAt(caps, 0)!, test, outcome: words[words.length - 1]!, span };
      }
      case "budget": {
        const caps = read();
        if (!caps) return undefined;
        const per = litAt(caps, 1) as A.DurationLit | undefined;
        const b: A.BudgetItem = {
          kind: "budget",
          keySpan,
          arg: nameAt(caps, 0)!,
          limit: litAt(caps, 0) as A.NumberLit,
          outcome: enumAt(caps, 0)!,
          span,
        };
        if (per) b.per = per;
        return b;
      }
      case "approval": {
        const body = c.block();
        c.end();
        if (!body) return undefined;
        return {
          kind: "approval",
          span,
          keywordSpan: keySpan,
          bodySpan: { start: body.start, end: body.end },
          items: this.simpleItems(body) as A.ApprovalItem[],
        };
      }
      case "args": {
        const body = c.block();
        c.end();
        if (!body) return undefined;
        return { kind: "args", span, keywordSpan: keySpan, args: this.items(body, (i) => this.argConstraint(i, 0)) };
      }
      default:
        return this.simple(item, "tool") as A.ToolItem | undefined;
    }
  }

  /** `NAME: CONSTRAINT` or `NAME?: CONSTRAINT`, in an args block or a nested object constraint. */
  private argConstraint(item: SItem, depth: number): A.ArgConstraint | undefined {
    if (!item.colon) {
      this.error(
        "CH0001",
        tokSpan(item.key),
        `expected ':' after the argument name '${item.key.image}'`,
        "write each constraint as NAME: CONSTRAINT, e.g. amount: number max 1000",
      );
      return undefined;
    }
    const name: A.Name = {
      value: item.key.tokenType === StringLiteral ? this.string(item.key).value : item.key.image,
      span: tokSpan(item.key),
    };
    if (!this.usableName(name.value, name.span)) return undefined;
    // a comma between properties (`{ a: bool, b: any }`) ends the one before it
    const last = item.operands[item.operands.length - 1];
    const trimmed = last && last.t === "tok" && last.tok.tokenType === Comma ? { ...item, operands: item.operands.slice(0, -1) } : item;
    const c = new ItemCursor(trimmed, this);
    const constraint = this.constraint(c, depth + 1, name.value);
    if (!constraint) return undefined;
    c.end();
    const arg: A.ArgConstraint = { name, constraint, span: this.span(item) };
    if (item.question) arg.optional = tokSpan(item.question);
    return arg;
  }

  /** One constraint, read by its grammar (schema.ts CONSTRAINTS); `arg` names it in messages. */
  constraint(c: ItemCursor, depth: number, arg?: string): A.Constraint | undefined {
    const first = c.peek();
    const start = first ? first.start : c.prevEnd();
    const spanTo = (): A.Span => ({ start, end: c.prevEnd() });
    const whose = arg === undefined ? "" : ` for argument '${arg}'`;
    if (depth > MAX_CONSTRAINT_DEPTH) {
      this.error(
        "CH0003",
        { start, end: first ? first.end : start },
        `constraint nested deeper than ${MAX_CONSTRAINT_DEPTH} levels`,
        "flatten the argument: a constraint this deep cannot be reviewed",
      );
      c.i = c.ops.length;
      return undefined;
    }
    if (first?.t === "block") {
      c.i++;
      return {
        kind: "object",
        props: this.items(first, (i) => this.argConstraint(i, depth)),
        span: { start: first.start, end: first.end },
      };
    }
    const tok = c.peekTok();
    const shapes = CONSTRAINT_HEADS.map((h) => `${h} …`).join(", ");
    if (tok && (tok.tokenType === Star || (tok.tokenType === StringLiteral && tok.image.includes("*")))) {
      this.error(
        "CH2004",
        tokSpan(tok),
        `wildcard constraint${arg === undefined ? "" : ` on argument '${arg}'`}`,
        'constrain the argument explicitly, e.g. one of ["a", "b"]; use `any` only when it truly is unconstrained',
      );
      c.i = c.ops.length;
      return undefined;
    }
    const head = tok?.tokenType === Word ? tok.image : undefined;
    if (head === undefined || !Object.hasOwn(CONSTRAINTS, head)) {
      if (head !== undefined) {
        this.diags.push(
          suggest("CH0002", tokSpan(tok!), `unknown constraint '${head}'${whose}`, head, CONSTRAINT_HEADS, `constraints: ${shapes}`),
        );
        c.i = c.ops.length;
      } else c.missing(`a constraint (${shapes}, or { … })`);
      return undefined;
    }
    c.i++;
    const caps: Cap[] = [];
    if (!c.take(CONSTRAINTS[head]!.shape, caps, depth)) return undefined;
    const span = spanTo();
    const how = caps.find((x): x is Extract<Cap, { t: "word" }> => x.t === "word")?.word;
    const list = () => litAt(caps, 0) as A.ListLit;
    const num = (i: number) => litAt(caps, i) as A.NumberLit;
    switch (head) {
      case "one":
      case "subset":
        return { kind: head === "one" ? "one_of" : "subset_of", values: list(), span };
      case "email":
      case "url":
        return { kind: head === "email" ? "email_in_domains" : "url_in_domains", domains: list(), span };
      case "number":
        return how === "between" ? { kind: "number_between", min: num(0), max: num(1), span } : { kind: "number_max", max: num(0), span };
      case "integer":
        return how === "between" ? { kind: "integer_between", min: num(0), max: num(1), span } : { kind: "integer_max", max: num(0), span };
      case "string":
        return how === "max"
          ? { kind: "string_max", max: num(0), span }
          : { kind: "string_matching", pattern: litAt(caps, 0) as A.StringLit, span };
      case "path":
        return { kind: "path_under", roots: list(), span };
      case "list": {
        const item = caps.find((x): x is Extract<Cap, { t: "constraint" }> => x.t === "constraint")!.value;
        return { kind: "list_of", item, max: num(0), span };
      }
      case "bool":
        return { kind: "bool", span };
      default:
        return { kind: "any", span };
    }
  }

  private monitorOrAudit(item: SItem): A.MonitorBlock | A.AuditBlock | undefined {
    const c = new ItemCursor(item, this);
    const body = c.block();
    c.end();
    if (!body) return undefined;
    const keywordSpan = tokSpan(item.key);
    if (item.key.image === "audit")
      return { kind: "audit", span: this.span(item), keywordSpan, items: this.simpleItems(body) as A.AuditItem[] };
    return { kind: "monitor", span: this.span(item), keywordSpan, rules: this.items(body, (i) => this.monitorRule(i)) };
  }

  /** A monitor rule, read by its shape in the grammar (schema.ts GRAMMAR.monitor). */
  private monitorRule(item: SItem): A.MonitorRule | undefined {
    const key = item.key.image;
    const info = keywordInfo("monitor", key);
    if (!info || item.key.tokenType !== Word) {
      this.unknown(item, "monitor");
      return undefined;
    }
    const c = new ItemCursor(item, this);
    const caps: Cap[] = [];
    const ok = c.take(info.shape, caps);
    if (!ok) return undefined;
    c.end();
    const keySpan = tokSpan(item.key);
    const span = this.span(item);
    const words = caps.filter((x): x is Extract<Cap, { t: "enum" }> => x.t === "enum").map((x) => x.value);
    // the action is the last closed word but a severity, which only follows `alert`
    const sevAt = words.length >= 2 && words[words.length - 2]!.value === "alert" ? words.length - 1 : -1;
    const actionWord = sevAt >= 0 ? words[words.length - 2]! : words[words.length - 1]!;
    const action: A.RuleAction = { kind: actionWord.value as A.RuleAction["kind"], span: actionWord.span };
    if (sevAt >= 0) {
      action.severity = words[sevAt]!;
      action.span = { start: actionWord.span.start, end: words[sevAt]!.span.end };
    }
    switch (key) {
      case "tool_rate":
        return {
          kind: "tool_rate",
          span,
          keySpan,
          multiplier: litAt(caps, 0) as A.MultiplierLit,
          window: litAt(caps, 1) as A.DurationLit,
          action,
        };
      case "data_volume":
        return { kind: "data_volume", span, keySpan, multiplier: litAt(caps, 0) as A.MultiplierLit, action };
      case "novel_sequence":
        return { kind: "novel_sequence", span, keySpan, score: litAt(caps, 0) as A.NumberLit, action };
      case "output":
        return { kind: words[0]!.value === "pii" ? "output_pii" : "output_exfiltration", span, keySpan, action };
      default:
        return { kind: "external_domain", span, keySpan, domains: litAt(caps, 0) as A.ListLit, action };
    }
  }

  private testStep(item: SItem): A.TestStep | undefined {
    const key = item.key.image;
    const info = item.key.tokenType === Word ? keywordInfo("test", key) : undefined;
    if (!info) {
      this.unknown(item, "test");
      return undefined;
    }
    const c = new ItemCursor(item, this);
    const caps: Cap[] = [];
    const ok = c.take(info.shape, caps);
    c.end();
    if (!ok) return undefined;
    const span = this.span(item);
    const agent = nameAt(caps, 0)!;
    const args = caps.find((x): x is Extract<Cap, { t: "object" }> => x.t === "object")?.value;
    if (key === "expect") {
      const e: A.TestStep = { kind: "expect", agent, tool: nameAt(caps, 1)!, outcome: enumAt(caps, 0)!, given: [], span };
      if (args) e.args = args;
      return e;
    }
    const how = caps.find((x): x is Extract<Cap, { t: "word" }> => x.t === "word")!.word;
    if (how === "ingested") {
      const g: A.Given = { kind: "ingested", agent, source: nameAt(caps, 1)!, span };
      const text = litAt(caps, 0);
      if (text) g.text = text as A.StringLit;
      return g;
    }
    const g: A.Given = { kind: "called", agent, tool: nameAt(caps, 1)!, span };
    if (args) g.args = args;
    return g;
  }

  object(block: SBlock): A.ObjectValue {
    const entries: A.ObjectValue["entries"] = [];
    for (const item of block.items) {
      if (!item.colon) {
        this.error("CH0001", tokSpan(item.key), `expected ':' after '${item.key.image}'`, "arguments are written { name: value, … }");
        continue;
      }
      const key: A.Name = {
        value: item.key.tokenType === StringLiteral ? this.string(item.key).value : item.key.image,
        span: tokSpan(item.key),
      };
      const ops = item.operands.filter((o, i) => !(i === item.operands.length - 1 && o.t === "tok" && o.tok.tokenType === Comma));
      if (ops.length !== 1) {
        const at = ops[1] ?? { start: item.colon.startOffset, end: item.colon.startOffset + 1 };
        this.error(
          "CH0001",
          { start: at.start, end: at.end },
          ops.length ? `expected ',' or '}' after the value of '${key.value}'` : `expected a value for '${key.value}'`,
        );
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
    this.error(
      "CH0001",
      span,
      `expected a value (string, number, true, false, null, list or object), found '${t.image}'`,
      t.tokenType === Word ? `quote it: "${t.image}"` : undefined,
    );
    return undefined;
  }

  /** `a, b, c` */
  private names(c: ItemCursor, what: string): A.Name[] {
    const names: A.Name[] = [];
    do {
      const t = c.peekTok();
      if (t && (t.tokenType === Star || (t.tokenType === StringLiteral && t.image.includes("*")))) {
        c.i++;
        this.error(
          "CH2004",
          tokSpan(t),
          `wildcard '${t.image}' in '${c.item.key.image}'`,
          `name each one explicitly: grants and lists in Charter are additive from zero`,
        );
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
      else if (el.t === "tok" && el.tok.tokenType === Star)
        items.push({ kind: "string", value: "*", span: { start: el.start, end: el.end } });
      else if (el.t === "tok" && el.tok.tokenType === Word) {
        this.error(
          "CH0001",
          { start: el.start, end: el.end },
          `expected a string, found the bare word '${el.tok.image}'`,
          `quote it: "${el.tok.image}"`,
        );
      } else
        this.error("CH0001", { start: el.start, end: el.end }, `expected a string or a number in the list, found ${describeOperand(el)}`);
    }
    return { kind: "list", items, span: { start: op.start, end: op.end } };
  }

  string(t: IToken): A.StringLit {
    const span = tokSpan(t);
    if (t.image.length > MAX_STRING_LENGTH) {
      this.error(
        "CH0003",
        { start: span.start, end: span.start + 1 },
        `string literal of ${t.image.length.toLocaleString("en")} characters is longer than the ${MAX_STRING_LENGTH / 1024} KiB a string may be`,
        "a policy names things; long text belongs in the file the policy refers to",
      );
      return { kind: "string", value: "", span };
    }
    let value: string;
    const closed = isClosedString(t.image);
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
        if (unit)
          this.error(
            "CH0003",
            span,
            `'${raw}' is not a number`,
            unit === "x" ? "a multiplier is only valid in a monitor rule" : `remove the unit '${unit}'`,
          );
        else if (kind === "int" && !Number.isInteger(num)) this.error("CH0003", span, `'${raw}' must be a whole number`);
        return { kind: "number", value: num, raw, span };
      }
      case "duration": {
        const factor = own(DURATION_UNITS, unit);
        if (!factor) {
          this.error(
            "CH0003",
            span,
            unit ? `'${raw}' is not a valid duration: unknown unit '${unit}'` : `'${raw}' is not a valid duration: it has no unit`,
            "durations are a whole number and a unit: ms, s, m, h or d (e.g. 15m, 365d)",
          );
        } else if (!Number.isInteger(num))
          this.error(
            "CH0003",
            span,
            `'${raw}' is not a valid duration: use a whole number`,
            `e.g. ${Math.round(num * (unit === "d" ? 24 : 60))}${unit === "d" ? "h" : unit === "h" ? "m" : "s"}`,
          );
        return { kind: "duration", ms: factor ? num * factor : NaN, raw, span };
      }
      case "size": {
        const factor = own(SIZE_UNITS, unit);
        if (!factor)
          this.error("CH0003", span, `'${raw}' is not a valid size`, "sizes are a whole number and KiB, MiB or GiB (e.g. 512MiB)");
        else if (!Number.isInteger(num)) this.error("CH0003", span, `'${raw}' is not a valid size: use a whole number`);
        return { kind: "size", bytes: factor ? num * factor : NaN, raw, span };
      }
      case "multiplier": {
        if (unit !== "x")
          this.error("CH0003", span, `'${raw}' is not a baseline multiplier`, "write multipliers as a number followed by x, e.g. 2.0x");
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

/**
 * A string token is closed when its last quote is not escaped: an even run of backslashes before it
 * (`"C:\\"` is closed, `"say \"` is not).
 */
function isClosedString(image: string): boolean {
  if (image.length < 2 || !image.endsWith('"')) return false;
  let slashes = 0;
  for (let i = image.length - 2; i >= 1 && image[i] === "\\"; i--) slashes++;
  return slashes % 2 === 0;
}
