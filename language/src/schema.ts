// The grammar of Charter, written once. Every block lists its keywords; every keyword declares the
// shape of its statement from a few combinators (sequence, alternative, optional part, closed word
// set, literal, name, name list, block, constraint), and every closed vocabulary is declared here
// once. The parser asks it where a statement ends, the decoder reads statements by it, completion
// asks it what may come next, hover and semantic tokens ask what a word is, the bundle's zod enums
// and the diff's orderings import its vocabularies. Change the language here, and all of them move.

// ---------------------------------------------------------------- vocabularies

/** A closed set of words. `rejected` words are read (so a precise diagnostic can refuse them) but never offered. */
export interface Vocab {
  what: string;
  values: readonly string[];
  rejected?: readonly string[];
}

/** The article a vocabulary's name takes in messages: "a tier", "an outcome". */
export function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? "an" : "a";
}

const vocab = (what: string, values: readonly string[], rejected?: readonly string[]): Vocab =>
  rejected ? { what, values, rejected } : { what, values };

export const TRUST_LEVELS = ["untrusted", "low", "medium", "high"] as const;
export const TIERS = ["low", "medium", "high"] as const;
export const SCOPES = ["read", "write", "send", "delete", "execute"] as const;
export const AGENT_KINDS = ["conversational", "code-executing", "document-processing"] as const;
export const FILESYSTEMS = ["none", "read-only", "ephemeral", "persistent"] as const;
export const PII_MODES = ["hash", "redact", "raw"] as const;
/** What an audit block may keep in the bundle (`raw` is refused by CH7002). */
export const AUDIT_PII = ["hash", "redact"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
/** The decisions a test expects. */
export const OUTCOMES = ["allow", "deny", "approval"] as const;
/** What a flow rule, condition or budget asks for (it can only make a decision stricter). */
export const RULE_OUTCOMES = ["approval", "deny"] as const;
export const RULE_ACTIONS = ["alert", "block", "redact"] as const;
export const MODES = ["enforce", "monitor"] as const;
export const ON_INJECTION = ["refuse", "redact"] as const;
export const APPROVAL_REQUIRED = ["always", "conditionally"] as const;
export const ON_TIMEOUT = ["reject"] as const;
export const OUTPUT_RULES = ["pii", "exfiltration"] as const;

export const VOCABS = {
  trust: vocab("trust level", TRUST_LEVELS),
  tier: vocab("tier", TIERS),
  scope: vocab("scope", SCOPES),
  agentKind: vocab("agent kind", AGENT_KINDS),
  filesystem: vocab("filesystem mode", FILESYSTEMS),
  pii: vocab("PII mode", PII_MODES),
  severity: vocab("severity", SEVERITIES),
  outcome: vocab("outcome", OUTCOMES),
  ruleOutcome: vocab("outcome", RULE_OUTCOMES),
  action: vocab("action", RULE_ACTIONS),
  mode: vocab("mode", MODES),
  onInjection: vocab("injection response", ON_INJECTION),
  required: vocab("approval requirement", APPROVAL_REQUIRED),
  // `approve` is read so that the checker can refuse it with CH3004 rather than CH0002
  onTimeout: vocab("timeout outcome", ON_TIMEOUT, ["approve"]),
  output: vocab("output rule", OUTPUT_RULES),
} as const satisfies Record<string, Vocab>;

export type VocabName = keyof typeof VOCABS;

// ---------------------------------------------------------------- shapes

/** What a name refers to: completion offers the names of that kind, semantic tokens colour them. */
export type RefKind = "agent" | "tool" | "source" | "interface" | "arg" | "name";
export type LiteralKind = "string" | "number" | "int" | "duration" | "size" | "date" | "multiplier" | "list";
export type Punct = "=>" | ">" | ">=";

export type Shape =
  | { t: "seq"; parts: readonly Shape[] }
  | { t: "alt"; options: readonly Shape[] }
  | { t: "opt"; shape: Shape }
  /** a fixed connective word: `per`, `via`, `of` */
  | { t: "word"; word: string; doc?: string }
  /** `expect` names it in "expected …" messages when more than the symbol helps (`'=>' and an action`) */
  | { t: "punct"; punct: Punct; expect?: string }
  /**
   * a closed word; with `then`, what follows depends on the word read (`alert` may take a
   * severity, `block` nothing), and a word outside the set ends the statement there
   */
  | { t: "enum"; vocab: Vocab; then?: Readonly<Record<string, Shape>> }
  | { t: "lit"; lit: LiteralKind }
  | { t: "name"; ref: RefKind; what: string }
  /** one or more, separated by commas; `first`, when given, is the shape of the first one */
  | { t: "names"; item: Shape; first?: Shape }
  /** `{ … }` opening a block of this kind */
  | { t: "block"; opens: BlockKind }
  /** an argument constraint (CONSTRAINTS below, or a nested `{ … }` object) */
  | { t: "constraint" }
  /** a JSON-like value object `{ key: value, … }` (test arguments) */
  | { t: "object" };

export const seq = (...parts: Shape[]): Shape => ({ t: "seq", parts });
export const alt = (...options: Shape[]): Shape => ({ t: "alt", options });
export const opt = (shape: Shape): Shape => ({ t: "opt", shape });
export const word = (w: string, doc?: string): Shape => (doc ? { t: "word", word: w, doc } : { t: "word", word: w });
export const punct = (p: Punct, expect?: string): Shape => (expect ? { t: "punct", punct: p, expect } : { t: "punct", punct: p });
export const oneOf = (name: VocabName): Shape => ({ t: "enum", vocab: VOCABS[name] });
/** A closed word and, for some of its values, what follows that value (nothing for the others). */
export const cases = (name: VocabName, then: Readonly<Record<string, Shape>>): Shape => ({ t: "enum", vocab: VOCABS[name], then });
export const lit = (l: LiteralKind): Shape => ({ t: "lit", lit: l });
export const name = (ref: RefKind, what: string): Shape => ({ t: "name", ref, what });
export const names = (item: Shape, first?: Shape): Shape => (first ? { t: "names", item, first } : { t: "names", item });
export const block = (opens: BlockKind): Shape => ({ t: "block", opens });
export const constraint: Shape = { t: "constraint" };
export const object: Shape = { t: "object" };

/** `AGENT via INTERFACE`, one link of a `talks_to` (two words tell it from a bare interface) */
const TALKS_TO_INTERFACE = name("interface", "the name of an interface the agent exposes");
const TALKS_TO_LINK = seq(name("agent", "the name of the agent to talk to"), word("via"), TALKS_TO_INTERFACE);

/** `=> approval|deny`, the end of every flow rule, condition and budget */
const ruleOutcome = seq(punct("=>"), oneOf("ruleOutcome"));

/**
 * The argument constraints, by their first word. Each is self-delimiting (it says where it ends),
 * so `list of C max N` reads C to its end and then its own `max N`: no constraint reads two ways.
 */
export const CONSTRAINTS: Record<string, { shape: Shape; doc: string; snippet: string }> = {
  one: { shape: seq(word("of"), lit("list")), doc: "the value is one of these", snippet: 'one of ["${1}"]' },
  subset: { shape: seq(word("of"), lit("list")), doc: "a list whose every element is one of these", snippet: 'subset of ["${1}"]' },
  email: {
    shape: seq(word("in"), word("domains"), lit("list")),
    doc: "an email address at one of these domains",
    snippet: 'email in domains ["${1}"]',
  },
  url: { shape: seq(word("in"), word("domains"), lit("list")), doc: "a URL on one of these domains", snippet: 'url in domains ["${1}"]' },
  number: {
    shape: alt(seq(word("between"), lit("number"), word("and"), lit("number")), seq(word("max"), lit("number"))),
    doc: "a JSON number: `between A and B` or `max N`",
    snippet: "number between ${1:0} and ${2:100}",
  },
  integer: {
    shape: alt(seq(word("between"), lit("int"), word("and"), lit("int")), seq(word("max"), lit("int"))),
    doc: "a whole number: `between A and B` or `max N`",
    snippet: "integer between ${1:0} and ${2:100}",
  },
  string: {
    shape: alt(seq(word("max"), lit("int")), seq(word("matching"), lit("string"))),
    doc: 'a string: `max N` characters, or `matching "RE"` (the whole string, RE2 syntax)',
    snippet: "string max ${1:200}",
  },
  bool: { shape: seq(), doc: "true or false", snippet: "bool" },
  path: {
    shape: seq(word("under"), lit("list")),
    doc: "an absolute path inside one of these roots, after normalising `.`, `..` and `//`",
    snippet: 'path under ["${1:/srv}"]',
  },
  list: {
    shape: seq(word("of"), constraint, word("max"), lit("int")),
    doc: "a list of at most N elements, each satisfying the constraint",
    snippet: "list of ${1:string max 100} max ${2:10}",
  },
  any: { shape: seq(), doc: "not constrained (named, so not refused)", snippet: "any" },
};

/** What may stand where a constraint is expected: a head word and its shape, or a `{ … }` object. */
export const CONSTRAINT_SHAPE: Shape = alt(
  ...Object.entries(CONSTRAINTS).map(([head, c]) => seq(word(head, c.doc), c.shape)),
  block("args"),
);

// ---------------------------------------------------------------- blocks and keywords

export type BlockKind =
  | "file"
  | "policy"
  | "review"
  | "source"
  | "defaults"
  | "agent"
  | "tool"
  | "approval"
  | "args"
  | "sandbox"
  | "monitor"
  | "audit"
  | "test"
  | "object"
  | "unknown";

export interface KeywordInfo {
  /** one or two lines for hover */
  doc: string;
  /** the statement after the keyword */
  shape: Shape;
  /** the closed set of values it takes (when its shape is one closed word), for completion and hover */
  values?: readonly string[];
  /** the block kind its `{ … }` opens */
  opens?: BlockKind;
  /** recognised only to be rejected with a precise diagnostic; never offered in completion */
  forbidden?: boolean;
  /** may appear more than once in a block */
  repeatable?: boolean;
  /** its shape holds a constraint, so a `{` in it is an object constraint */
  holdsConstraint?: boolean;
}

interface KeywordDecl {
  doc: string;
  shape: Shape;
  forbidden?: boolean;
  repeatable?: boolean;
}

const kw = (doc: string, shape: Shape, more: Omit<KeywordDecl, "doc" | "shape"> = {}): KeywordDecl => ({ doc, shape, ...more });
const rep = { repeatable: true };
const anything = seq();

const forbiddenGrants: Record<string, KeywordDecl> = {
  allow: kw("Not part of Charter: grants are additive from zero, never `allow all`.", anything, { forbidden: true, repeatable: true }),
  default: kw("Not part of Charter: there is no `default allow`.", anything, { forbidden: true, repeatable: true }),
  tools: kw("Not part of Charter: grant each tool by name.", anything, { forbidden: true, repeatable: true }),
  delegate: kw("Not part of Charter: agents cannot hand their grants to another.", anything, { forbidden: true, repeatable: true }),
  inherits: kw("Not part of Charter: agents do not inherit from each other.", anything, { forbidden: true, repeatable: true }),
  extends: kw("Not part of Charter: agents do not inherit from each other.", anything, { forbidden: true, repeatable: true }),
};

const GRAMMAR: Record<BlockKind, Record<string, KeywordDecl>> = {
  file: {
    policy: kw(
      "The policy header: name, version, owner and the security review that signed it off.",
      seq(name("name", "the policy's name"), block("policy")),
    ),
    source: kw(
      "A content source the agents read, with its trust level and injection threshold.",
      seq(name("source", "the source's name"), block("source")),
      rep,
    ),
    defaults: kw("`monitor` and `audit` blocks applied to every agent that does not declare its own.", block("defaults")),
    agent: kw("An agent and everything it may do: grants start from zero.", seq(name("agent", "the agent's name"), block("agent")), rep),
    test: kw("Expectations run through the real runtime by `charter test`.", seq(lit("string"), block("test")), rep),
    allow: forbiddenGrants.allow!,
    default: forbiddenGrants.default!,
  },
  policy: {
    version: kw("The policy's version number (an integer).", lit("int")),
    owner: kw("The team accountable for this policy.", lit("string")),
    mode: kw(
      "`enforce` (the default) or `monitor` for every agent that does not set its own: monitor records what would be refused and lets it through.",
      oneOf("mode"),
    ),
    review: kw("The security review that signed off this exact policy (its semantic digest).", block("review")),
  },
  review: {
    by: kw('Who reviewed the policy, e.g. "security/alice".', lit("string")),
    on: kw("The date of the review (YYYY-MM-DD).", lit("date")),
    digest: kw("The semantic digest the reviewer approved (`charter digest FILE`).", lit("string")),
    cadence: kw("How long a review stays valid (default 90d).", lit("duration")),
    signature: kw("ed25519 signature of the reviewer over policy name, digest, reviewer and date.", lit("string")),
  },
  source: {
    trust: kw("How far content from this source is trusted.", oneOf("trust")),
    threshold: kw("The highest injection risk score (0..1) accepted from this source.", lit("number")),
    on_injection: kw(
      "What happens to text scored above the threshold: `refuse` it whole (default), or `redact` only the offending passages.",
      oneOf("onInjection"),
    ),
  },
  defaults: {
    monitor: kw("Monitoring rules against behavioural baselines.", block("monitor")),
    audit: kw("Audit requirements: retention, PII handling, store.", block("audit")),
  },
  agent: {
    kind: kw("What sort of agent this is; it decides which containment rules apply.", oneOf("agentKind")),
    mode: kw(
      "`enforce` (the default) or `monitor`: monitor computes and audits every decision but lets refused calls through.",
      oneOf("mode"),
    ),
    reads: kw("The content sources this agent ingests.", names(name("source", "a source name")), rep),
    tool: kw("Grants one tool, with its scope, tier, rate and constraints.", seq(name("tool", "the tool's name"), block("tool")), rep),
    deny: kw("Tools explicitly refused (audited; wins over everything).", names(name("tool", "a tool name")), rep),
    exposes: kw("Interfaces other agents may call through `talks_to`.", names(name("interface", "an interface name")), rep),
    talks_to: kw(
      "Lets this agent call interfaces another agent exposes: `talks_to AGENT via INTERFACE, …` (`talks_to a via x, b via y` for several agents).",
      // a link names its agent; a bare interface after a comma belongs to the agent named before it
      names(alt(TALKS_TO_LINK, TALKS_TO_INTERFACE), TALKS_TO_LINK),
      rep,
    ),
    after: kw(
      "Agent-wide flow rule: once the session has ingested content of this trust or lower, calls of the listed scopes need approval or are denied.",
      seq(oneOf("trust"), ruleOutcome, word("for"), names(oneOf("scope"))),
      rep,
    ),
    sandbox: kw("Containment limits for code execution.", block("sandbox")),
    monitor: kw("Monitoring rules for this agent (replaces the defaults).", block("monitor")),
    audit: kw("Audit requirements for this agent (replaces the defaults).", block("audit")),
    ...forbiddenGrants,
  },
  tool: {
    scope: kw("What the tool does to the world.", oneOf("scope")),
    tier: kw("How consequential a call is: `high` needs approval and a reversal playbook.", oneOf("tier")),
    rate: kw(
      "The most calls allowed in a sliding window (`rate 20 per 1h`) or in one session (`rate 5 per session`).",
      // one windowed and one per-session rate at most (CH1003 tells them apart)
      seq(lit("int"), word("per"), alt(lit("duration"), word("session", "calls per session"))),
    ),
    approval: kw(
      "A human must approve each call (or, with `required conditionally`, each call a rule asks about); a timeout rejects.",
      block("approval"),
    ),
    reversal: kw("The playbook that undoes this tool's effect.", lit("string")),
    pin: kw("sha256 of the tool's published definition; a changed definition is refused.", lit("string")),
    returns: kw(
      "The source whose trust the tool's results carry: reading them taints the session like ingesting that source.",
      name("source", "a source name"),
    ),
    args: kw("Argument constraints; arguments not named here are refused, `NAME?:` may be left out.", block("args")),
    after: kw(
      "Flow rule: once the session has ingested content of this trust or lower (`after low`), or called a tool (`after readSecrets`), calls need approval or are denied.",
      seq(name("name", "a trust level or a tool of this agent"), ruleOutcome),
      rep,
    ),
    when: kw(
      "Condition on an argument: `when ARG from LEVEL => …` (its value was seen only in content of that trust or lower), `when ARG outside CONSTRAINT => …` (allowed outright inside the narrower constraint).",
      seq(
        name("arg", "an argument of this tool"),
        alt(seq(word("from", "the value's provenance"), oneOf("trust")), seq(word("outside", "outside a narrower constraint"), constraint)),
        ruleOutcome,
      ),
      rep,
    ),
    budget: kw(
      "Caps the sum of a numeric argument per window or per session: `budget amount 1000 per 1d => deny`.",
      seq(
        name("arg", "a numeric argument of this tool"),
        lit("number"),
        word("per"),
        alt(lit("duration"), word("session", "per session")),
        ruleOutcome,
      ),
      rep,
    ),
  },
  approval: {
    approvers: kw("Who may approve a call.", lit("list")),
    timeout: kw("How long to wait for an approver before rejecting.", lit("duration")),
    on_timeout: kw("What happens when no approver answers in time: always `reject`.", oneOf("onTimeout")),
    required: kw(
      "`always` (the default): every call waits for a human; `conditionally`: only calls a flow rule, condition or budget asks about.",
      oneOf("required"),
    ),
  },
  args: {},
  sandbox: {
    filesystem: kw("What the sandbox may do to its filesystem.", oneOf("filesystem")),
    network: kw("The hosts the sandbox may reach (an explicit allowlist; `[]` for none).", lit("list")),
    cpu: kw("CPU cores available to the sandbox.", lit("number")),
    memory: kw("Memory limit, e.g. 512MiB.", lit("size")),
    time: kw("Wall-clock limit per execution, e.g. 60s.", lit("duration")),
    output: kw("Where the sandbox's results go.", lit("string")),
  },
  monitor: {
    tool_rate: kw(
      "Alert when the tool call rate exceeds a multiple of the baseline within a window.",
      seq(punct(">"), lit("multiplier"), word("baseline"), word("within"), lit("duration"), monitorAction()),
      rep,
    ),
    data_volume: kw(
      "Alert when a session's data volume exceeds a multiple of the baseline.",
      seq(punct(">"), lit("multiplier"), word("baseline"), word("per"), word("session"), monitorAction()),
      rep,
    ),
    novel_sequence: kw(
      "Alert when the recent tool-call sequence is this novel (0..1) against the baseline.",
      seq(punct(">="), lit("number"), monitorAction()),
      rep,
    ),
    output: kw(
      "`output pii` or `output exfiltration`: what to do with such outputs.",
      cases("output", { pii: monitorAction(), exfiltration: monitorAction() }),
      rep,
    ),
    external_domain: kw("Act on contact with domains outside the list.", seq(word("outside"), lit("list"), monitorAction()), rep),
  },
  audit: {
    retention: kw("How long audit records are kept (at least 365d).", lit("duration")),
    pii: kw("How personal data appears in audit records.", oneOf("pii")),
    store: kw("Where audit records are sent.", lit("string")),
  },
  test: {
    expect: kw(
      "`expect AGENT call TOOL {args}? => allow|deny|approval`",
      seq(name("agent", "the agent's name"), word("call"), name("tool", "the tool's name"), opt(object), punct("=>"), oneOf("outcome")),
      rep,
    ),
    given: kw(
      'History for the `expect` lines after it: `given AGENT ingested SOURCE "text"?` or `given AGENT called TOOL {args}?`.',
      seq(
        name("agent", "the agent's name"),
        alt(
          seq(word("ingested", "content from a source"), name("source", "the source's name"), opt(lit("string"))),
          seq(word("called", "a tool call"), name("tool", "the tool's name"), opt(object)),
        ),
      ),
      rep,
    ),
  },
  object: {},
  unknown: {},
};

/** `=> alert SEVERITY?`, `=> block`, `=> redact`: only `alert` takes a severity. */
function monitorAction(): Shape {
  return seq(punct("=>", "'=>' and an action"), cases("action", { alert: opt(oneOf("severity")) }));
}

/** A shape that is one closed word set: its values (for `values` in KeywordInfo). */
function valuesOf(shape: Shape): readonly string[] | undefined {
  return shape.t === "enum" ? shape.vocab.values : undefined;
}

/** The block a keyword's statement opens with `{`, if any. */
function opensOf(shape: Shape): BlockKind | undefined {
  if (shape.t === "block") return shape.opens;
  if (shape.t === "seq") for (const p of shape.parts) if (p.t === "block") return p.opens;
  return undefined;
}

export const SCHEMA: Record<BlockKind, Record<string, KeywordInfo>> = Object.fromEntries(
  Object.entries(GRAMMAR).map(([kind, keys]) => [
    kind,
    Object.fromEntries(
      Object.entries(keys).map(([key, d]) => {
        const info: KeywordInfo = { doc: d.doc, shape: d.shape };
        const values = valuesOf(d.shape);
        const opens = opensOf(d.shape);
        if (values) info.values = values;
        if (opens) info.opens = opens;
        if (d.forbidden) info.forbidden = true;
        if (d.repeatable) info.repeatable = true;
        if (holdsConstraint(d.shape)) info.holdsConstraint = true;
        return [key, info];
      }),
    ),
  ]),
) as Record<BlockKind, Record<string, KeywordInfo>>;

/** The keyword's entry in a block, own properties only (a name like `constructor` is just a name). */
export function keywordInfo(kind: BlockKind, key: string): KeywordInfo | undefined {
  const block = SCHEMA[kind];
  return block && Object.hasOwn(block, key) ? block[key] : undefined;
}

/** Blocks whose items are `name: value` pairs rather than keyword statements. */
export function isPairBlock(kind: BlockKind): boolean {
  return kind === "args" || kind === "object";
}

/** Does a `{` in this statement hold a constraint (an object constraint in args, `when … outside {…}`)? */
function holdsConstraint(shape: Shape): boolean {
  switch (shape.t) {
    case "constraint":
      return true;
    case "seq":
      return shape.parts.some(holdsConstraint);
    case "alt":
      return shape.options.some(holdsConstraint);
    case "opt":
      return holdsConstraint(shape.shape);
    default:
      return false;
  }
}

/** The block kind opened by `{` after `key` in a block of kind `parent`. */
export function childBlock(parent: BlockKind, key: string): BlockKind {
  if (parent === "test" || parent === "object") return "object";
  // a `{` inside an argument's constraint is a nested object constraint
  if (parent === "args") return "args";
  const info = keywordInfo(parent, key);
  if (!info) return "unknown";
  if (info.opens) return info.opens;
  return info.holdsConstraint ? "args" : "unknown";
}

/** Keywords valid in a block, for completion: forbidden forms excluded. */
export function keywordsOf(kind: BlockKind): string[] {
  return Object.entries(SCHEMA[kind])
    .filter(([, v]) => !v.forbidden)
    .map(([k]) => k);
}

/** The constraint heads, for completion and did-you-mean. */
export const CONSTRAINT_HEADS = Object.keys(CONSTRAINTS);
