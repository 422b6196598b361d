// `charter init --from-mcp [--agent NAME] [-o FILE] -- COMMAND…`: asks an MCP tool server what it
// publishes and writes a least-privilege draft policy for it. Each tool's input schema becomes a
// closed-world `args` block, its annotations set scope and tier (MCP's own defaults for the hints a
// server leaves out: destructive and open-world), and only read-only closed-world tools run without a
// human. The draft checks clean as written; its TODOs are what a person must decide.

import { checkText } from "@charter/language";
import { toolDefinitionDigest } from "@charter/runtime/gateway";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Command } from "commander";
import { existsSync, writeFileSync } from "node:fs";
import { fileError, UsageError } from "../io.js";
import { listPublishedTools } from "../tool-server.js";

/** The bounds the draft assumes where a schema states none; the draft's header repeats them. */
export const DRAFT_BOUNDS = {
  /** `string max N` for a string without maxLength */
  stringMax: 4096,
  /** `list of … max N` for an array without maxItems */
  listMax: 100,
  /** `number between MIN and MAX` for a number without minimum / maximum */
  numberMin: 0,
  numberMax: 1_000_000,
  /** deeper schemas become `any` with a TODO */
  depth: 8,
} as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** A bare Charter name; `__proto__` would vanish from the JSON bundle (CH0003). */
const isName = (s: string) => NAME.test(s) && s !== "__proto__";
/** What the lexer reads as a plain number (no exponent, no leading +). */
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;
const DELETE_WORDS = new Set(["delete", "remove", "rm", "drop", "purge", "erase", "destroy", "unlink", "wipe"]);
/** `delete_entities`, `remove-file`, `deleteUser`: a word of the name (snake, kebab or camel case) says delete. */
const namedForDeleting = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .some((w) => DELETE_WORDS.has(w.toLowerCase()));
const SOURCE = "tool_results";

type JsonSchema = Record<string, unknown>;

export interface DraftOptions {
  /** the agent's name (and the policy's) */
  agent: string;
  /** what the server said it is, for the header */
  server?: { name: string; version: string } | undefined;
  /** the command that started the server, for the header and the `charter gateway` line */
  command: string[];
}

// ---------------------------------------------------------------- schema → constraint

/** A constraint being drafted: a one-line text, a list around another, or an object of properties. */
type Draft =
  | { kind: "text"; text: string; todo?: string }
  | { kind: "list"; item: Draft; max: number; todo?: string }
  | { kind: "object"; properties: DraftProperty[]; notes: string[]; todo?: string };

interface DraftProperty {
  name: string;
  optional: boolean;
  constraint: Draft;
}

const anyBecause = (why: string): Draft => ({ kind: "text", text: "any", todo: why });

function isSchema(v: unknown): v is JsonSchema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function plainNumber(n: unknown): string | undefined {
  if (typeof n !== "number" || !Number.isFinite(n)) return undefined;
  const s = String(n);
  return PLAIN_NUMBER.test(s) ? s : undefined;
}

/**
 * A Charter string literal (JSON escapes). A final backslash is written `\u005c`: the decoder reads a
 * literal ending in `\\"` as an unclosed escape.
 */
function charterString(v: string): string {
  const s = JSON.stringify(v);
  return v.endsWith("\\") ? s.slice(0, -3) + '\\u005c"' : s;
}

function literal(v: unknown): string | undefined {
  if (typeof v === "string") return charterString(v);
  return plainNumber(v);
}

function withTodo(d: Draft, todo: string): Draft {
  return { ...d, todo: d.todo ? `${d.todo}; ${todo}` : todo };
}

/** `one of [..]` for enum/const values; `"*"` would read as a wildcard (CH2004), so such values are left out. */
function oneOf(values: unknown[]): Draft {
  const written = values.filter((v) => !(typeof v === "string" && v.includes("*"))).map(literal);
  if (written.length === 0 || written.some((w) => w === undefined))
    return anyBecause("the schema lists values Charter cannot write (null, true/false, objects, or '*'): constrain it by hand");
  const d: Draft = { kind: "text", text: `one of [${[...new Set(written)].join(", ")}]` };
  return written.length < values.length ? withTodo(d, "values containing '*' were left out (they would read as wildcards)") : d;
}

function numberDraft(s: JsonSchema, integer: boolean): Draft {
  const word = integer ? "integer" : "number";
  const inclusive = (bound: unknown, exclusive: unknown): number | undefined =>
    typeof exclusive === "number" ? exclusive : typeof bound === "number" ? bound : undefined;
  const min = inclusive(s.minimum, s.exclusiveMinimum);
  const max = inclusive(s.maximum, s.exclusiveMaximum);
  const exclusive =
    typeof s.exclusiveMinimum === "number" || typeof s.exclusiveMaximum === "number"
      ? "the schema's exclusive bound is written inclusive"
      : undefined;
  // a missing bound is the default one, or the default span away from the other bound when that lies beyond it
  const span = DRAFT_BOUNDS.numberMax - DRAFT_BOUNDS.numberMin;
  let lo = min ?? (max !== undefined && max < DRAFT_BOUNDS.numberMin ? max - span : DRAFT_BOUNDS.numberMin);
  let hi = max ?? (min !== undefined && min > DRAFT_BOUNDS.numberMax ? min + span : DRAFT_BOUNDS.numberMax);
  if (integer) [lo, hi] = [Math.ceil(lo), Math.floor(hi)];
  if (lo > hi) return anyBecause(`the schema's bounds admit no ${integer ? "integer" : "number"}: constrain it by hand`);
  const loText = plainNumber(lo);
  const hiText = plainNumber(hi);
  if (loText === undefined || hiText === undefined)
    return anyBecause(`the schema's bounds cannot be written as plain numbers: write ${word} between A and B`);
  const d: Draft = { kind: "text", text: `${word} between ${loText} and ${hiText}` };
  return exclusive ? withTodo(d, exclusive) : d;
}

function stringDraft(s: JsonSchema): Draft {
  const max = typeof s.maxLength === "number" && Number.isInteger(s.maxLength) && s.maxLength >= 0 ? s.maxLength : DRAFT_BOUNDS.stringMax;
  const d: Draft = { kind: "text", text: `string max ${max}` };
  const notes: string[] = [];
  if (s.format === "email") notes.push("an e-mail address: consider email in domains [..]");
  else if (s.format === "uri" || s.format === "url") notes.push("a URL: consider url in domains [..]");
  else if (typeof s.format === "string") notes.push(`format '${s.format}' is not checked`);
  if (typeof s.pattern === "string") notes.push(`the schema's pattern is not checked: consider string matching "…"`);
  return notes.length ? withTodo(d, notes.join("; ")) : d;
}

function draftConstraint(s: unknown, depth: number): Draft {
  if (!isSchema(s)) return s === true ? anyBecause("the schema allows any value") : anyBecause("no schema for this value");
  if (depth > DRAFT_BOUNDS.depth) return anyBecause(`nested deeper than ${DRAFT_BOUNDS.depth} levels`);
  if (typeof s.$ref === "string") return anyBecause("the schema refers to a definition ($ref): constrain it by hand");
  for (const key of ["anyOf", "oneOf"] as const) {
    const variants = s[key];
    if (!Array.isArray(variants)) continue;
    const nonNull = variants.filter((v) => !(isSchema(v) && v.type === "null"));
    if (nonNull.length === 1 && nonNull.length < variants.length)
      return withTodo(draftConstraint(nonNull[0], depth), "the schema also allows null");
    return anyBecause(`the schema allows several shapes (${key}): constrain it by hand`);
  }
  if (Array.isArray(s.allOf)) return anyBecause("the schema combines shapes (allOf): constrain it by hand");
  if ("const" in s) return oneOf([s.const]);
  if (Array.isArray(s.enum)) return oneOf(s.enum);

  let type = s.type;
  let nullable = false;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== "null");
    nullable = nonNull.length < type.length;
    if (nonNull.length !== 1) return anyBecause(`the schema allows several types (${type.join(", ")}): constrain it by hand`);
    type = nonNull[0];
  }
  if (type === undefined) type = isSchema(s.properties) ? "object" : "items" in s ? "array" : undefined;
  const d = draftOfType(s, type, depth);
  return nullable ? withTodo(d, "the schema also allows null") : d;
}

function draftOfType(s: JsonSchema, type: unknown, depth: number): Draft {
  switch (type) {
    case "string":
      return stringDraft(s);
    case "number":
      return numberDraft(s, false);
    case "integer":
      return numberDraft(s, true);
    case "boolean":
      return { kind: "text", text: "bool" };
    case "array": {
      const max = typeof s.maxItems === "number" && Number.isInteger(s.maxItems) && s.maxItems >= 0 ? s.maxItems : DRAFT_BOUNDS.listMax;
      if (Array.isArray(s.items)) return anyBecause("a tuple (items is a list of schemas): constrain it by hand");
      const item = s.items === undefined ? anyBecause("the schema does not say what the list holds") : draftConstraint(s.items, depth + 1);
      return { kind: "list", item, max };
    }
    case "object":
      return objectDraft(s, depth);
    case undefined:
      return anyBecause("the schema gives no type");
    default:
      return anyBecause(`type '${String(type)}' has no Charter constraint`);
  }
}

function propertiesOf(s: JsonSchema, depth: number): { properties: DraftProperty[]; notes: string[] } {
  const props = isSchema(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : []);
  const properties: DraftProperty[] = [];
  const notes: string[] = [];
  for (const [name, schema] of Object.entries(props)) {
    // Any other name is written quoted; `__proto__` would vanish from the JSON bundle (CH0003).
    if (name === "" || name === "__proto__") {
      notes.push(
        `TODO: property ${JSON.stringify(name)} cannot be named in Charter, so it is refused${required.has(name) ? " (it is required: every call will be refused)" : ""}`,
      );
      continue;
    }
    const constraint = draftConstraint(schema, depth + 1);
    const pathLike =
      /path|^(?:source|destination|file|dir|directory)$/i.test(name) &&
      constraint.kind === "text" &&
      constraint.text.startsWith("string max");
    properties.push({
      name,
      optional: !required.has(name),
      constraint: pathLike ? withTodo(constraint, "a file path: consider path under [..]") : constraint,
    });
  }
  const extra = s.additionalProperties;
  if (extra !== undefined && extra !== false)
    notes.push("TODO: the schema allows properties it does not name; this draft refuses them (closed world)");
  if (isSchema(s.patternProperties)) notes.push("TODO: the schema's patternProperties are refused (closed world)");
  return { properties, notes };
}

function objectDraft(s: JsonSchema, depth: number): Draft {
  const { properties, notes } = propertiesOf(s, depth);
  if (properties.length === 0) return anyBecause("an object whose properties the schema does not name: constrain it by hand");
  return { kind: "object", properties, notes };
}

// ---------------------------------------------------------------- printing

/** A constraint as the text before its nested properties, the properties, and the text after them. */
interface Printed {
  head: string;
  body?: { properties: DraftProperty[]; notes: string[] };
  tail: string;
  todos: string[];
}

function printConstraint(d: Draft): Printed {
  const todos = d.todo ? [d.todo] : [];
  switch (d.kind) {
    case "text":
      return { head: d.text, tail: "", todos };
    case "list": {
      const inner = printConstraint(d.item);
      return {
        head: `list of ${inner.head}`,
        ...(inner.body ? { body: inner.body } : {}),
        tail: `${inner.tail} max ${d.max}`,
        todos: [...inner.todos, ...todos],
      };
    }
    case "object":
      return { head: "{", body: { properties: d.properties, notes: d.notes }, tail: "}", todos };
  }
}

function printProperties(properties: DraftProperty[], notes: string[], indent: string, out: string[]): void {
  for (const n of notes) out.push(`${indent}// ${n}`);
  for (const p of properties) {
    const printed = printConstraint(p.constraint);
    const todo = printed.todos.length ? ` // TODO: ${printed.todos.join("; ")}` : "";
    const key = `${indent}${NAME.test(p.name) ? p.name : charterString(p.name)}${p.optional ? "?" : ""}: `;
    if (!printed.body) {
      out.push(key + printed.head + printed.tail + todo);
      continue;
    }
    out.push(key + printed.head);
    printProperties(printed.body.properties, printed.body.notes, indent + "  ", out);
    out.push(indent + printed.tail + todo);
  }
}

/** What a comment may carry from a server's text: one line, no control, format or bidi characters. */
function commentText(s: string, max = 160): string {
  const flat = s
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > max ? flat.slice(0, max - 1).trimEnd() + "…" : flat;
}

/** A name Charter can spell, from what a server calls itself. */
export function charterName(s: string, fallback = "mcp-agent"): string {
  const n = s
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^[^A-Za-z_]+/, "")
    .replace(/-+$/, "");
  return isName(n) ? n : fallback;
}

// ---------------------------------------------------------------- scope and tier

export interface Classification {
  scope: "read" | "write" | "send" | "delete";
  tier: "low" | "medium" | "high";
  /** the annotations as read, for the comment above the tool */
  why: string;
}

/**
 * Scope and tier from MCP's tool annotations. A hint the server leaves out takes MCP's default
 * (not read-only, destructive, open-world): the draft assumes the worst of what it was not told.
 */
export function classifyTool(tool: Pick<Tool, "name" | "annotations">): Classification {
  const a = tool.annotations ?? {};
  const readOnly = a.readOnlyHint === true;
  const destructive = !readOnly && a.destructiveHint !== false;
  const openWorld = a.openWorldHint !== false;
  const said = (["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const)
    .filter((k) => typeof a[k] === "boolean")
    .map((k) => `${k} ${a[k]}`);
  const assumed = [
    !("readOnlyHint" in a) && "not read-only",
    !readOnly && !("destructiveHint" in a) && "destructive",
    !("openWorldHint" in a) && "open-world",
  ].filter(Boolean);
  const why = `annotations: ${said.length ? said.join(", ") : "none"}${assumed.length ? ` (MCP's defaults assumed: ${assumed.join(", ")})` : ""}`;
  if (readOnly) return openWorld ? { scope: "send", tier: "medium", why } : { scope: "read", tier: "low", why };
  const scope = openWorld ? "send" : destructive && namedForDeleting(tool.name) ? "delete" : "write";
  return { scope, tier: destructive ? "high" : "medium", why };
}

const RATE = { low: "120 per 1h", medium: "30 per 1h", high: "10 per 1h" } as const;

// ---------------------------------------------------------------- the draft

function toolBlock(tool: Tool, digest: string, out: string[]): void {
  const { scope, tier, why } = classifyTool(tool);
  const description = tool.description ? commentText(tool.description) : "";
  if (description) out.push(`  // ${description}`);
  out.push(`  // ${why} → scope ${scope}, tier ${tier}`);
  out.push(`  tool ${tool.name} {`);
  out.push(`    scope ${scope}`);
  out.push(`    tier ${tier}`);
  out.push(`    rate ${RATE[tier]}`);
  out.push(`    pin "${digest}"`);
  out.push(`    returns ${SOURCE}`);
  if (tier !== "low") {
    out.push(`    approval {`, `      approvers ["TODO-group"]`, `      timeout 15m`, `    }`);
    if (tier === "high") out.push(`    reversal "TODO: playbook"`);
  }
  const schema: JsonSchema = isSchema(tool.inputSchema) ? tool.inputSchema : {};
  const { properties, notes } = propertiesOf(schema, 0);
  if (schema.type !== undefined && schema.type !== "object")
    notes.unshift(`TODO: the input schema is not an object (type ${JSON.stringify(schema.type)}); every argument is refused`);
  if (properties.length === 0 && notes.length === 0) {
    out.push(`    args {} // the tool takes no arguments`);
  } else {
    out.push(`    args {`);
    printProperties(properties, notes, "      ", out);
    out.push(`    }`);
  }
  out.push(`  }`);
}

/**
 * The draft policy for the tools a server publishes. `digestOf` gives each tool's pin (the gateway's
 * toolDefinitionDigest, so `charter pins` and the gateway agree).
 */
export function draftPolicy(tools: readonly Tool[], options: DraftOptions, digestOf: (t: Tool) => string = toolDefinitionDigest): string {
  const agent = options.agent;
  const command = commentText(options.command.join(" "), 400);
  const server = options.server ? commentText(`${options.server.name} ${options.server.version}`, 120) : "the MCP server";
  const out: string[] = [
    `// A draft policy for ${server}, written by \`charter init --from-mcp\` from what the server publishes`,
    `// (its tools/list). It grants each tool with the least privilege its schema and annotations allow:`,
    `//   - args: the tool's input schema as a closed world (an argument it does not name is refused).`,
    `//     Where the schema sets no bound, strings get \`string max ${DRAFT_BOUNDS.stringMax}\`, lists \`max ${DRAFT_BOUNDS.listMax}\` and`,
    `//     numbers \`between ${DRAFT_BOUNDS.numberMin} and ${DRAFT_BOUNDS.numberMax}\`: narrow them to what the agent needs.`,
    `//   - scope and tier: from the server's annotations, hints it could get wrong (check each one). Only`,
    `//     read-only tools that stay inside the server run without a human; every other tool needs approval.`,
    `//   - pin: the digest of the tool's published definition; the gateway stops offering a tool that changes.`,
    `// Replace every TODO, then review it. To run it in front of the server:`,
    `//   charter build THIS-FILE -o bundle.json`,
    `//   charter gateway --bundle bundle.json --agent ${agent} --source ${SOURCE} -- ${command}`,
    `policy ${agent} {`,
    `  version 1`,
    `  owner "TODO-owner"`,
    `}`,
    ``,
    `// What the tools return comes from outside the policy: it is checked for injections at this threshold.`,
    `source ${SOURCE} {`,
    `  trust low`,
    `  threshold 0.50`,
    `}`,
    ``,
    `defaults {`,
    `  monitor {`,
    `    tool_rate > 2.0x baseline within 5m => alert high`,
    `    data_volume > 3.0x baseline per session => alert medium`,
    `    novel_sequence >= 0.85 => alert medium`,
    `    output pii => redact`,
    `    output exfiltration => block`,
    `    // TODO: external_domain outside ["your-company.example"] => block`,
    `  }`,
    `  audit {`,
    `    retention 365d`,
    `    pii hash`,
    `  }`,
    `}`,
    ``,
    `agent ${agent} {`,
    `  kind conversational`,
    `  reads ${SOURCE}`,
  ];
  for (const tool of tools) {
    out.push("");
    if (!isName(tool.name)) {
      out.push(`  // TODO: the server's tool ${JSON.stringify(commentText(tool.name, 80))} is not granted: Charter cannot spell its name`);
      continue;
    }
    toolBlock(tool, digestOf(tool), out);
  }
  out.push(`}`, ``);
  // written in the layout of `charter fmt`, so a reviewer's first edit does not come with a reformat
  return out.join("\n");
}

// ---------------------------------------------------------------- the command

interface InitOptions {
  fromMcp?: boolean;
  agent?: string;
  output?: string;
  force?: boolean;
}

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write a least-privilege draft policy for the tools an MCP server publishes")
    .option("--from-mcp", "start the MCP tool server given after -- and draft a policy from its tools/list")
    .option("--agent <name>", "the agent's name in the draft (default: the server's name)")
    .option("-o, --output <file>", "write the draft to this file instead of standard output")
    .option("--force", "overwrite the output file if it exists")
    .argument("<command...>", "the tool server to start, after --")
    .action(async (command: string[], opts: InitOptions) => {
      if (!opts.fromMcp)
        throw new UsageError("charter init needs --from-mcp (the only source of a draft today): charter init --from-mcp -- COMMAND…");
      if (opts.agent !== undefined && !isName(opts.agent))
        throw new UsageError(`--agent '${opts.agent}' is not a Charter name (letters, digits, _ . -, starting with a letter or _)`);
      if (opts.output && existsSync(opts.output) && !opts.force)
        throw new UsageError(`${opts.output} exists; pass --force to overwrite it`);
      const { server, tools } = await listPublishedTools(command, "charter-init");
      const agent = opts.agent ?? charterName(server?.name ?? "");
      const draft = draftPolicy(tools, { agent, server, command });
      // The draft is ours: if it does not check, that is a bug in this command, not in the server.
      const checked = checkText(draft);
      if (opts.output) {
        try {
          writeFileSync(opts.output, draft);
        } catch (e) {
          throw fileError("write", opts.output, e);
        }
        process.stderr.write(
          `wrote ${opts.output}: ${tools.length} tool${tools.length === 1 ? "" : "s"} of ${server?.name ?? "the server"} for agent ${agent}; replace its TODOs, then charter check ${opts.output}\n`,
        );
      } else process.stdout.write(draft);
      if (checked.errors > 0) {
        const first = checked.diagnostics.find((d) => d.severity === "error")!;
        process.stderr.write(
          `charter: the draft has ${checked.errors} error(s), first ${first.code} at line ${first.range.start.line + 1}: ${first.message}\nplease report this with the server you ran\n`,
        );
        process.exitCode = 1;
      }
    });
}
