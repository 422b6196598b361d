// The typed syntax tree of a Charter file. Every node carries the source span it came from
// (byte offsets into the file text), so every diagnostic, hover and edit can point at exact text.
// Blocks keep their items in source order: the formatter and the checker's duplicate detection
// need what was written, not a normalised view. Normalisation is the compiler's job.

export interface Span {
  /** offset of the first character */
  start: number;
  /** offset one past the last character */
  end: number;
}

export interface Node {
  span: Span;
}

/** A name as written (agent, tool, source, interface, keyword operand). */
export interface Name extends Node {
  value: string;
}

export interface StringLit extends Node {
  kind: "string";
  value: string;
}
export interface NumberLit extends Node {
  kind: "number";
  value: number;
  raw: string;
}
export interface DurationLit extends Node {
  kind: "duration";
  /** milliseconds */
  ms: number;
  raw: string;
}
export interface SizeLit extends Node {
  kind: "size";
  bytes: number;
  raw: string;
}
export interface DateLit extends Node {
  kind: "date";
  /** ISO yyyy-mm-dd, validated */
  value: string;
}
export interface MultiplierLit extends Node {
  kind: "multiplier";
  value: number;
  raw: string;
}
/** A word drawn from a fixed set (tier low, scope read, ...). */
export interface WordLit extends Node {
  kind: "word";
  value: string;
}
export type ListElement = StringLit | NumberLit;
export interface ListLit extends Node {
  kind: "list";
  items: ListElement[];
}

export type Literal = StringLit | NumberLit | DurationLit | SizeLit | DateLit | MultiplierLit | WordLit | ListLit;

/**
 * A `key value` property. `key` is the keyword as written; the value's shape depends on the key
 * (the grammar guarantees it). Properties that carry several operands have their own node types.
 */
export interface Prop<K extends string = string, V extends Literal = Literal> extends Node {
  kind: "prop";
  key: K;
  keySpan: Span;
  value: V;
}

// ---------------------------------------------------------------- file

export interface Comment extends Node {
  text: string;
  /** true for a `/* … *\/` comment */
  block: boolean;
}

export interface CharterFile {
  decls: Decl[];
  comments: Comment[];
  span: Span;
}

export type Decl = PolicyDecl | SourceDecl | DefaultsDecl | AgentDecl | TestDecl | ForbiddenDecl;

// ---------------------------------------------------------------- policy

export interface PolicyDecl extends Node {
  kind: "policy";
  keywordSpan: Span;
  name: Name;
  items: PolicyItem[];
}
export type PolicyItem = Prop<"version", NumberLit> | Prop<"owner", StringLit> | Prop<"mode", WordLit> | ReviewBlock;

export interface ReviewBlock extends Node {
  kind: "review";
  keywordSpan: Span;
  items: ReviewItem[];
}
export type ReviewItem =
  | Prop<"by", StringLit>
  | Prop<"on", DateLit>
  | Prop<"digest", StringLit>
  | Prop<"cadence", DurationLit>
  | Prop<"signature", StringLit>;

// ---------------------------------------------------------------- source

export interface SourceDecl extends Node {
  kind: "source";
  keywordSpan: Span;
  name: Name;
  items: SourceItem[];
}
export type SourceItem = Prop<"trust", WordLit> | Prop<"threshold", NumberLit> | Prop<"on_injection", WordLit>;

// ---------------------------------------------------------------- defaults

export interface DefaultsDecl extends Node {
  kind: "defaults";
  keywordSpan: Span;
  items: (MonitorBlock | AuditBlock)[];
}

// ---------------------------------------------------------------- agent

export interface AgentDecl extends Node {
  kind: "agent";
  keywordSpan: Span;
  name: Name;
  /** `agent x extends y` and friends: recognised only to be rejected (CH2005) */
  inheritance?: { keyword: Name; target?: Name; span: Span };
  items: AgentItem[];
}
export type AgentItem =
  | Prop<"kind", WordLit>
  | Prop<"mode", WordLit>
  | AgentFlowRule
  | NameListItem<"reads">
  | NameListItem<"deny">
  | NameListItem<"exposes">
  | TalksTo
  | ToolDecl
  | SandboxBlock
  | MonitorBlock
  | AuditBlock
  | ForbiddenItem;

/** `reads a, b` / `deny a, b` / `exposes a, b` */
export interface NameListItem<K extends string = string> extends Node {
  kind: "names";
  key: K;
  keySpan: Span;
  names: Name[];
}

/** `talks_to A via I, J`: one link per interface (`span` covers the agent and that interface). */
export interface TalksTo extends Node {
  kind: "talks_to";
  keySpan: Span;
  links: { agent: Name; via: Name; span: Span }[];
}

/** `after LEVEL => approval|deny for SCOPE, …`: a flow rule for every tool of the listed scopes. */
export interface AgentFlowRule extends Node {
  kind: "after";
  keySpan: Span;
  level: WordLit;
  outcome: WordLit;
  scopes: WordLit[];
}

export interface ToolDecl extends Node {
  kind: "tool";
  keywordSpan: Span;
  name: Name;
  /** span of the `{ … }` body, for fixes that insert into it */
  bodySpan: Span;
  items: ToolItem[];
}
export type ToolItem =
  | Prop<"scope", WordLit>
  | Prop<"tier", WordLit>
  | RateItem
  | SessionRateItem
  | ApprovalBlock
  | Prop<"reversal", StringLit>
  | Prop<"pin", StringLit>
  | ReturnsItem
  | ArgsBlock
  | FlowRule
  | ConditionItem
  | BudgetItem;

/** `rate N per DURATION` */
export interface RateItem extends Node {
  kind: "rate";
  keySpan: Span;
  count: NumberLit;
  per: DurationLit;
}

/** `rate N per session` */
export interface SessionRateItem extends Node {
  kind: "session_rate";
  keySpan: Span;
  count: NumberLit;
}

/** `returns SOURCE` */
export interface ReturnsItem extends Node {
  kind: "returns";
  keySpan: Span;
  source: Name;
}

/** `after NAME => approval|deny`: NAME is a trust level or a tool of the agent (the checker decides). */
export interface FlowRule extends Node {
  kind: "flow";
  keySpan: Span;
  after: Name;
  outcome: WordLit;
}

/** `when ARG from LEVEL => …` / `when ARG outside CONSTRAINT => …` */
export interface ConditionItem extends Node {
  kind: "when";
  keySpan: Span;
  arg: Name;
  test: { kind: "from"; level: WordLit; span: Span } | { kind: "outside"; constraint: Constraint; span: Span };
  outcome: WordLit;
}

/** `budget ARG LIMIT per DURATION|session => …`; `per` absent means per session */
export interface BudgetItem extends Node {
  kind: "budget";
  keySpan: Span;
  arg: Name;
  limit: NumberLit;
  per?: DurationLit;
  outcome: WordLit;
}

export interface ApprovalBlock extends Node {
  kind: "approval";
  keywordSpan: Span;
  bodySpan: Span;
  items: ApprovalItem[];
}
export type ApprovalItem =
  | Prop<"approvers", ListLit>
  | Prop<"timeout", DurationLit>
  | Prop<"on_timeout", WordLit>
  | Prop<"required", WordLit>;

export interface ArgsBlock extends Node {
  kind: "args";
  keywordSpan: Span;
  args: ArgConstraint[];
}
export interface ArgConstraint extends Node {
  name: Name;
  /** the `?` of `NAME?:` when the argument may be absent */
  optional?: Span;
  constraint: Constraint;
}
export type Constraint =
  | { kind: "one_of"; values: ListLit; span: Span }
  | { kind: "subset_of"; values: ListLit; span: Span }
  | { kind: "email_in_domains"; domains: ListLit; span: Span }
  | { kind: "url_in_domains"; domains: ListLit; span: Span }
  | { kind: "number_between"; min: NumberLit; max: NumberLit; span: Span }
  | { kind: "number_max"; max: NumberLit; span: Span }
  | { kind: "string_max"; max: NumberLit; span: Span }
  | { kind: "any"; span: Span }
  | { kind: "integer_between"; min: NumberLit; max: NumberLit; span: Span }
  | { kind: "integer_max"; max: NumberLit; span: Span }
  | { kind: "bool"; span: Span }
  | { kind: "string_matching"; pattern: StringLit; span: Span }
  | { kind: "path_under"; roots: ListLit; span: Span }
  | { kind: "list_of"; item: Constraint; max: NumberLit; span: Span }
  | { kind: "object"; props: ArgConstraint[]; span: Span };

export interface SandboxBlock extends Node {
  kind: "sandbox";
  keywordSpan: Span;
  bodySpan: Span;
  items: SandboxItem[];
}
export type SandboxItem =
  | Prop<"filesystem", WordLit>
  | Prop<"network", ListLit>
  | Prop<"cpu", NumberLit>
  | Prop<"memory", SizeLit>
  | Prop<"time", DurationLit>
  | Prop<"output", StringLit>;

// ---------------------------------------------------------------- monitor & audit

export interface MonitorBlock extends Node {
  kind: "monitor";
  keywordSpan: Span;
  rules: MonitorRule[];
}
export type MonitorRule =
  | { kind: "tool_rate"; span: Span; keySpan: Span; multiplier: MultiplierLit; window: DurationLit; action: RuleAction }
  | { kind: "data_volume"; span: Span; keySpan: Span; multiplier: MultiplierLit; action: RuleAction }
  | { kind: "novel_sequence"; span: Span; keySpan: Span; score: NumberLit; action: RuleAction }
  | { kind: "output_pii"; span: Span; keySpan: Span; action: RuleAction }
  | { kind: "output_exfiltration"; span: Span; keySpan: Span; action: RuleAction }
  | { kind: "external_domain"; span: Span; keySpan: Span; domains: ListLit; action: RuleAction };

export interface RuleAction extends Node {
  kind: "alert" | "block" | "redact";
  severity?: WordLit;
}

export interface AuditBlock extends Node {
  kind: "audit";
  keywordSpan: Span;
  items: AuditItem[];
}
export type AuditItem = Prop<"retention", DurationLit> | Prop<"pii", WordLit> | Prop<"store", StringLit>;

// ---------------------------------------------------------------- tests

export interface TestDecl extends Node {
  kind: "test";
  keywordSpan: Span;
  name: StringLit;
  /** `given` and `expect` lines in source order */
  steps: TestStep[];
  /** the `expect` lines, each with the `given` history before it */
  expects: Expectation[];
}
export type TestStep = Given | ({ kind: "expect" } & Expectation);
export interface Expectation extends Node {
  agent: Name;
  tool: Name;
  args?: ObjectValue;
  outcome: WordLit;
  /** the `given` lines of the same test block before this expectation, in order */
  given: Given[];
}
/** History a test sets up before its expectations (the runtime replays it into the session). */
export type Given =
  /** `given AGENT ingested SOURCE "text"?`: the session admitted content from SOURCE */
  | { kind: "ingested"; agent: Name; source: Name; text?: StringLit; span: Span }
  /** `given AGENT called TOOL {args}?`: the session called TOOL */
  | { kind: "called"; agent: Name; tool: Name; args?: ObjectValue; span: Span };
export type JsonValue =
  | { kind: "string"; value: string; span: Span }
  | { kind: "number"; value: number; span: Span }
  | { kind: "bool"; value: boolean; span: Span }
  | { kind: "null"; span: Span }
  | { kind: "array"; items: JsonValue[]; span: Span }
  | ObjectValue;
export interface ObjectValue extends Node {
  kind: "object";
  entries: { key: Name; value: JsonValue; span: Span }[];
}

// ---------------------------------------------------------------- forbidden forms

/**
 * Grants by wildcard or exclusion, `default allow` and delegation are not part of the language:
 * the parser recognises them only so that the checker can reject them with a precise code
 * (CH2001–CH2003, CH2005) instead of a generic syntax error.
 */
export interface ForbiddenItem extends Node {
  kind: "forbidden";
  form: "wildcard_tool" | "tools_all" | "allow_all" | "except" | "default_allow" | "delegate" | "inherits";
  /** the exact text that makes the form forbidden */
  text: string;
}
export interface ForbiddenDecl extends ForbiddenItem {}

// ---------------------------------------------------------------- accessors

/** First item of a block with the given key (later duplicates are reported as CH1003). */
export function prop<I extends { kind: string; key?: string }, K extends string>(
  items: readonly I[],
  key: K,
): Extract<I, { key: K }> | undefined {
  for (const item of items) if ((item as { key?: string }).key === key) return item as Extract<I, { key: K }>;
  return undefined;
}

/** First item of a block with the given node kind. */
export function item<I extends { kind: string }, K extends I["kind"]>(items: readonly I[], kind: K): Extract<I, { kind: K }> | undefined {
  for (const it of items) if (it.kind === kind) return it as Extract<I, { kind: K }>;
  return undefined;
}

export function itemsOf<I extends { kind: string }, K extends I["kind"]>(items: readonly I[], kind: K): Extract<I, { kind: K }>[] {
  return items.filter((it) => it.kind === kind) as Extract<I, { kind: K }>[];
}
