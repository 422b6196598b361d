// The `charter serve` configuration (DEPLOYMENT.md §1): YAML (so JSON too), checked key by key against
// the shape below. Every problem is a value naming the key's path and its line, never a throw: an unknown
// key, a wrong type, a token that is not a SHA-256 hex digest, an agent naming an upstream nobody declared.
// Relative paths are resolved against the config file's folder. Secrets never live here: tokens appear
// only as their SHA-256.
import { dirname, isAbsolute, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from "yaml";
import { isPostgresUrl } from "../audit/postgres-schema.js";
import { redactUrl } from "../io-errors.js";
import type { SocConfig } from "../soc/soc-exporter.js";

export interface UpstreamConfig {
  name: string;
  /** stdio: the command and its arguments; the process's own environment plus `env` */
  command?: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Streamable HTTP: the server's MCP endpoint */
  url?: string;
  /** proxy resources and prompts too (their text is ingested like tool results) */
  resources: boolean;
}

export interface AgentConfig {
  name: string;
  tokenSha256: string[];
  upstreams: string[];
  /** the bundle source tool results count as when the tool names no `returns` source */
  source: string;
}

export interface JwtConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** the claim whose value names the agent (default "sub") */
  agentClaim: string;
}

export interface ApproverConfig {
  name: string;
  tokenSha256: string;
  groups: string[];
}

/** `soc:` — alerts, guardrail events and isolations sent to a SIEM as they happen (soc/soc-exporter.ts). */
export interface SocServeConfig {
  /** folder of the on-disk spool: events wait there until every receiver took them */
  spool: string;
  /** `headersFromEnv`: header name → the environment variable holding its value (secrets stay out of the config) */
  webhook?: { url: string; headersFromEnv: Record<string, string> };
  /** RFC 5424 over TCP; `facility` as a number (default 13, log audit) */
  syslog?: { host: string; port: number; facility: number };
}

export interface ServeConfig {
  /** the config file (for messages) and its folder (for relative paths) */
  path: string;
  host: string;
  port: number;
  bundle: string;
  publicKey?: string;
  /** `chain` names the chain in a shared PostgreSQL table (one writer per chain) */
  audit: { file?: string; postgres?: string; fsync: boolean; checkpointKey?: string; chain?: string };
  state: { kind: "memory" } | { kind: "redis"; url: string };
  agents: Map<string, AgentConfig>;
  upstreams: Map<string, UpstreamConfig>;
  jwt?: JwtConfig;
  approvers: Map<string, ApproverConfig>;
  admin?: { tokenSha256: string };
  /** base URL of this gateway as approvers reach it (links in notifications) */
  publicUrl?: string;
  /** webhook notifications for approvals, handed to the approval service untouched */
  notify?: unknown;
  /** `baseline: FILE` (charter baseline build), for the monitor rules that compare against one */
  baseline?: string;
  soc?: SocServeConfig;
  /** where each key's value is written (dotted key → line and column), for problems found after parsing */
  positions?: Map<string, { line: number; column: number }>;
}

export interface ConfigProblem {
  /** dotted path of the key, e.g. `agents.bot.upstreams[1]` */
  key: string;
  line: number;
  column: number;
  message: string;
}

export type ConfigResult = { ok: true; config: ServeConfig } | { ok: false; problems: ConfigProblem[] };

const SHA256_HEX = /^[0-9a-f]{64}$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** an HTTP header name (RFC 9110 token) */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 5424 facility names and their codes */
const FACILITIES: Record<string, number> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** Renders problems as `FILE:LINE:COL: key: message` lines. */
export function describeConfigProblems(path: string, problems: readonly ConfigProblem[]): string {
  return [...problems]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((p) => `${path}:${p.line}:${p.column}: ${p.key ? p.key + ": " : ""}${p.message}`)
    .join("\n");
}

export function parseServeConfig(text: string, path: string): ConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  const at = (node: { range?: [number, number, number] | null } | null | undefined, key: string, message: string): void => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    problems.push({ key, line: pos.line, column: pos.col, message });
  };
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    problems.push({ key: "", line: pos.line, column: pos.col, message: e.message.split("\n")[0]! });
  }
  if (problems.length > 0) return { ok: false, problems };
  const base = dirname(resolve(path));
  const positions = new Map<string, { line: number; column: number }>();
  const file = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));

  // ---- a tiny typed reader over yaml nodes, every mistake recorded with its line
  type Field = { key: string; node: Node; pair: Pair };
  const fields = (node: Node | null, key: string, allowed: readonly string[]): Map<string, Field> | undefined => {
    if (!isMap(node)) {
      at(node, key, `expected a mapping (key: value)`);
      return undefined;
    }
    const out = new Map<string, Field>();
    for (const pair of (node as YAMLMap).items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const path = key ? `${key}.${k}` : String(k);
      if (k === undefined) {
        at(pair.key as Node, key, "keys must be plain names");
        continue;
      }
      if (!allowed.includes(k)) {
        at(pair.key as Node, path, `unknown key '${k}'${suggest(k, allowed)}`);
        continue;
      }
      out.set(k, { key: path, node: pair.value as Node, pair });
      const pos = lines.linePos((pair.value as Node | null)?.range?.[0] ?? (pair.key as Node).range?.[0] ?? 0);
      positions.set(path, { line: pos.line, column: pos.col });
    }
    return out;
  };
  const entries = (node: Node | null, key: string): Field[] => {
    if (!isMap(node)) {
      at(node, key, "expected a mapping of names");
      return [];
    }
    const out: Field[] = [];
    for (const pair of (node as YAMLMap).items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!NAME.test(k)) at(pair.key as Node, `${key}.${k}`, `'${k}' is not a valid name (letters, digits, _ . -)`);
      else out.push({ key: `${key}.${k}`, node: pair.value as Node, pair });
    }
    return out;
  };
  const str = (f: Field | undefined, what = "a string"): string | undefined => {
    if (f === undefined) return undefined;
    if (!isScalar(f.node) || typeof f.node.value !== "string" || f.node.value === "") {
      at(f.node ?? f.pair.key, f.key, `expected ${what}`);
      return undefined;
    }
    return f.node.value;
  };
  const bool = (f: Field | undefined): boolean | undefined => {
    if (f === undefined) return undefined;
    if (!isScalar(f.node) || typeof f.node.value !== "boolean") {
      at(f.node ?? f.pair.key, f.key, "expected true or false");
      return undefined;
    }
    return f.node.value;
  };
  const strings = (f: Field | undefined): string[] | undefined => {
    if (f === undefined) return undefined;
    if (!isSeq(f.node)) {
      at(f.node ?? f.pair.key, f.key, "expected a list of strings");
      return undefined;
    }
    const out: string[] = [];
    f.node.items.forEach((item, i) => {
      if (isScalar(item) && typeof item.value === "string" && item.value !== "") out.push(item.value);
      else at(item as Node, `${f.key}[${i}]`, "expected a string");
    });
    return out;
  };
  const hash = (f: Field | undefined): string | undefined => {
    const v = str(f, "a SHA-256 hex digest (charter token prints one)");
    if (v === undefined || f === undefined) return undefined;
    if (!SHA256_HEX.test(v.toLowerCase())) {
      at(f.node, f.key, "expected 64 hex digits: the SHA-256 of the token, never the token itself (charter token prints both)");
      return undefined;
    }
    return v.toLowerCase();
  };
  const required = (m: Map<string, Field>, k: string, key: string, node: Node | null): Field | undefined => {
    const f = m.get(k);
    if (f === undefined) at(node, key ? `${key}.${k}` : k, `missing required key '${k}'`);
    return f;
  };

  const top = fields(doc.contents as Node | null, "", [
    "listen",
    "bundle",
    "public_key",
    "audit",
    "state",
    "agents",
    "upstreams",
    "jwt",
    "approvers",
    "admin",
    "public_url",
    "notify",
    "baseline",
    "soc",
  ]);
  if (top === undefined) return { ok: false, problems };
  const root = doc.contents as Node;

  let host = "127.0.0.1";
  let port = 8787;
  const listen = str(top.get("listen"), "HOST:PORT");
  if (listen !== undefined) {
    const m = /^(.*):(\d{1,5})$/.exec(listen);
    if (!m || Number(m[2]) > 65535) at(top.get("listen")!.node, "listen", `expected HOST:PORT, got '${listen}'`);
    else {
      host = m[1]!.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
      port = Number(m[2]);
    }
  }
  const bundle = str(required(top, "bundle", "", root));
  // work/state: the behavioural baseline the monitor's tool_rate, data_volume and novel_sequence compare against
  const baselineText = str(top.get("baseline"), "the path of a baseline (charter baseline build)");
  const publicKeyText = str(top.get("public_key"));
  const publicKey = publicKeyText === undefined ? undefined : publicKeyText.startsWith("ed25519:") ? publicKeyText : file(publicKeyText);

  const audit: ServeConfig["audit"] = { fsync: false };
  const auditField = required(top, "audit", "", root);
  if (auditField) {
    const a = fields(auditField.node, "audit", ["file", "postgres", "fsync", "checkpoint_key", "chain"]);
    if (a) {
      const f = str(a.get("file"));
      if (f !== undefined) audit.file = file(f);
      const pg = str(a.get("postgres"), "a postgres:// URL");
      if (pg !== undefined) {
        if (isPostgresUrl(pg)) audit.postgres = pg;
        else
          at(
            a.get("postgres")!.node,
            "audit.postgres",
            `expected a postgres:// or postgresql:// URL, got '${redactUrl(pg)}' (PostgreSQL is the only database the audit log goes to)`,
          );
      }
      audit.fsync = bool(a.get("fsync")) ?? false;
      const ck = str(a.get("checkpoint_key"));
      if (ck !== undefined) audit.checkpointKey = file(ck);
      const chain = str(a.get("chain"));
      if (chain !== undefined) audit.chain = chain;
      if (audit.file !== undefined && audit.postgres !== undefined)
        at(auditField.node, "audit", "name one store: { file: PATH } or { postgres: URL }, not both");
      if (audit.file === undefined && audit.postgres === undefined && !a.has("postgres") && !a.has("file"))
        at(auditField.node, "audit", "say where the audit log goes: { file: PATH } or { postgres: URL }");
    }
  }

  let state: ServeConfig["state"] = { kind: "memory" };
  const stateField = top.get("state");
  if (stateField) {
    const s = fields(stateField.node, "state", ["memory", "redis"]);
    if (s?.has("redis")) {
      const url = str(s.get("redis"), "a redis:// URL");
      if (url !== undefined && /^rediss?:\/\//.test(url)) state = { kind: "redis", url };
      else if (url !== undefined)
        at(s.get("redis")!.node, "state.redis", `expected a redis:// or rediss:// (TLS) URL, got '${redactUrl(url)}'`);
    } else if (s && !s.has("memory")) at(stateField.node, "state", "expected { memory: {} } or { redis: URL }");
  }

  const upstreams = new Map<string, UpstreamConfig>();
  const upstreamsField = required(top, "upstreams", "", root);
  /** every upstream name written down, valid or not: an agent naming a broken one is not told it is missing */
  const declaredUpstreams = new Set<string>();
  if (upstreamsField && isMap(upstreamsField.node))
    for (const p of upstreamsField.node.items) if (isScalar(p.key)) declaredUpstreams.add(String(p.key.value));
  if (upstreamsField) {
    for (const u of entries(upstreamsField.node, "upstreams")) {
      const name = u.key.slice("upstreams.".length);
      const m = fields(u.node, u.key, ["command", "env", "cwd", "url", "resources"]);
      if (!m) continue;
      const command = strings(m.get("command"));
      const url = str(m.get("url"), "an http(s) URL");
      const env: Record<string, string> = {};
      const envField = m.get("env");
      if (envField) {
        for (const e of entries(envField.node, envField.key)) {
          if (
            isScalar(e.node) &&
            (typeof e.node.value === "string" || typeof e.node.value === "number" || typeof e.node.value === "boolean")
          )
            env[e.key.slice(envField.key.length + 1)] = String(e.node.value);
          else at(e.node ?? e.pair.key, e.key, "expected a string value");
        }
      }
      const cwd = str(m.get("cwd"));
      const resources = bool(m.get("resources")) ?? false;
      if ((command === undefined) === (url === undefined)) {
        at(u.node, u.key, "an upstream is either { command: [PROGRAM, ARGS…] } (stdio) or { url: http://…/mcp } (Streamable HTTP)");
        continue;
      }
      if (command !== undefined && command.length === 0) {
        at(m.get("command")!.node, `${u.key}.command`, "the command is empty");
        continue;
      }
      if (url !== undefined) {
        if (!/^https?:\/\//.test(url)) at(m.get("url")!.node, `${u.key}.url`, "expected an http:// or https:// URL");
        if (envField || cwd !== undefined)
          at((envField ?? m.get("cwd"))!.pair.key as Node, u.key, "env and cwd apply to a command, not to a url");
      }
      upstreams.set(name, {
        name,
        env,
        resources,
        ...(command ? { command } : {}),
        ...(url ? { url } : {}),
        ...(cwd ? { cwd: file(cwd) } : {}),
      });
    }
  }

  let jwt: JwtConfig | undefined;
  const jwtField = top.get("jwt");
  if (jwtField) {
    const j = fields(jwtField.node, "jwt", ["jwks_url", "issuer", "audience", "agent_claim"]);
    if (j) {
      const jwksUrl = str(required(j, "jwks_url", "jwt", jwtField.node), "an https:// URL of a JWKS");
      const issuer = str(required(j, "issuer", "jwt", jwtField.node));
      const audience = str(required(j, "audience", "jwt", jwtField.node));
      const agentClaim = str(j.get("agent_claim")) ?? "sub";
      if (jwksUrl && issuer && audience) jwt = { jwksUrl, issuer, audience, agentClaim };
    }
  }

  const agents = new Map<string, AgentConfig>();
  const tokenNodes = new Map<string, Node>();
  const agentsField = required(top, "agents", "", root);
  if (agentsField) {
    for (const a of entries(agentsField.node, "agents")) {
      const name = a.key.slice("agents.".length);
      const m = fields(a.node, a.key, ["token_sha256", "upstreams", "source"]);
      if (!m) continue;
      const tokenField = m.get("token_sha256");
      if (tokenField) tokenNodes.set(`agents.${name}.token_sha256`, tokenField.node);
      let tokenSha256: string[] = [];
      if (tokenField && isSeq(tokenField.node)) {
        tokenSha256 = tokenField.node.items.flatMap(
          (item, i) => hash({ key: `${tokenField.key}[${i}]`, node: item as Node, pair: tokenField.pair }) ?? [],
        );
      } else if (tokenField) {
        const h = hash(tokenField);
        if (h) tokenSha256 = [h];
      } else if (!jwtField) at(a.node, `${a.key}.token_sha256`, "missing required key 'token_sha256' (or configure jwt: at the top level)");
      const ups = strings(required(m, "upstreams", a.key, a.node)) ?? [];
      const upsField = m.get("upstreams");
      ups.forEach((u, i) => {
        if (upstreamsField && !declaredUpstreams.has(u) && isSeq(upsField?.node)) {
          at(upsField.node.items[i] as Node, `${a.key}.upstreams[${i}]`, `no upstream named '${u}'${suggest(u, [...upstreams.keys()])}`);
        }
      });
      const source = str(required(m, "source", a.key, a.node));
      if (source !== undefined) agents.set(name, { name, tokenSha256, upstreams: ups, source });
    }
  }

  const approvers = new Map<string, ApproverConfig>();
  const approversField = top.get("approvers");
  if (approversField) {
    for (const a of entries(approversField.node, "approvers")) {
      const name = a.key.slice("approvers.".length);
      const m = fields(a.node, a.key, ["token_sha256", "groups"]);
      if (!m) continue;
      const tokenSha256 = hash(required(m, "token_sha256", a.key, a.node));
      if (m.get("token_sha256")) tokenNodes.set(`approvers.${name}.token_sha256`, m.get("token_sha256")!.node);
      const groups = strings(required(m, "groups", a.key, a.node));
      if (tokenSha256 && groups) approvers.set(name, { name, tokenSha256, groups });
    }
  }
  let admin: ServeConfig["admin"];
  const adminField = top.get("admin");
  if (adminField) {
    const m = fields(adminField.node, "admin", ["token_sha256"]);
    const tokenSha256 = m ? hash(required(m, "token_sha256", "admin", adminField.node)) : undefined;
    if (m?.get("token_sha256")) tokenNodes.set("admin.token_sha256", m.get("token_sha256")!.node);
    if (tokenSha256) admin = { tokenSha256 };
  }
  const publicUrl = str(top.get("public_url"), "the base URL approvers reach this gateway at");
  const notify = top.get("notify") ? (top.get("notify")!.node as Node).toJSON() : undefined;

  const soc = socSection(top.get("soc"));

  // the same token may not name two principals: whoever holds it would be both
  const owners = new Map<string, string>();
  const claim = (h: string | undefined, who: string, node: Node | null, key: string): void => {
    if (h === undefined) return;
    const before = owners.get(h);
    if (before !== undefined)
      at(tokenNodes.get(key) ?? node, key, `the same token hash is already used by ${before}: every principal needs its own token`);
    else owners.set(h, who);
  };
  for (const a of agents.values())
    for (const h of a.tokenSha256) claim(h, `agent ${a.name}`, (agentsField?.node as Node) ?? null, `agents.${a.name}.token_sha256`);
  for (const a of approvers.values())
    claim(a.tokenSha256, `approver ${a.name}`, (approversField?.node as Node) ?? null, `approvers.${a.name}.token_sha256`);
  if (admin) claim(admin.tokenSha256, "admin", (adminField?.node as Node) ?? null, "admin.token_sha256");

  if (problems.length > 0 || bundle === undefined) return { ok: false, problems };
  const config: ServeConfig = {
    path,
    host,
    port,
    bundle: file(bundle),
    audit,
    state,
    agents,
    upstreams,
    approvers,
    ...(publicKey ? { publicKey } : {}),
    ...(jwt ? { jwt } : {}),
    ...(admin ? { admin } : {}),
    ...(publicUrl ? { publicUrl } : {}),
    ...(notify !== undefined ? { notify } : {}),
    ...(baselineText !== undefined ? { baseline: file(baselineText) } : {}),
    ...(soc ? { soc } : {}),
    positions,
  };
  return { ok: true, config };

  // `soc: { spool: DIR, webhook?: { url, headers_from_env? }, syslog?: { host, port, facility? } }`
  function socSection(f: Field | undefined): SocServeConfig | undefined {
    if (f === undefined) return undefined;
    const m = fields(f.node, "soc", ["spool", "webhook", "syslog"]);
    if (!m) return undefined;
    const spool = str(required(m, "spool", "soc", f.node), "the path of a folder for the spool");
    let webhook: SocServeConfig["webhook"];
    const wf = m.get("webhook");
    if (wf) {
      if (isMap(wf.node))
        for (const p of wf.node.items)
          if (isScalar(p.key) && p.key.value === "headers")
            at(
              p.key as Node,
              "soc.webhook.headers",
              "header values are secrets and never live in the config: name the environment variable holding each one, headers_from_env: { Authorization: SIEM_AUTH }",
            );
      const w = fields(wf.node, "soc.webhook", ["url", "headers_from_env", ...(isMap(wf.node) ? ["headers"] : [])]);
      if (w) {
        const url = str(required(w, "url", "soc.webhook", wf.node), "an http(s) URL");
        const credentials = url !== undefined && /^https?:\/\/[^/@]*@/.test(url);
        if (url !== undefined && !/^https?:\/\/[^/]/.test(url))
          at(w.get("url")!.node, "soc.webhook.url", `expected an http:// or https:// URL, got '${redactUrl(url)}'`);
        else if (credentials)
          at(
            w.get("url")!.node,
            "soc.webhook.url",
            "credentials in the URL are secrets and never live in the config: send them as a header whose value comes from the environment, headers_from_env: { Authorization: SIEM_AUTH }",
          );
        const headersFromEnv: Record<string, string> = {};
        const hf = w.get("headers_from_env");
        if (hf) {
          for (const h of entriesOf(hf)) {
            const header = h.key.slice(hf.key.length + 1);
            const env = isScalar(h.node) && typeof h.node.value === "string" ? h.node.value : undefined;
            if (!HEADER_NAME.test(header)) at(h.pair.key as Node, h.key, `'${header}' is not an HTTP header name`);
            else if (env === undefined || !ENV_NAME.test(env))
              at(
                h.node ?? h.pair.key,
                h.key,
                "expected the name of an environment variable (letters, digits, _) that holds the header's value",
              );
            else headersFromEnv[header] = env;
          }
        }
        if (url !== undefined && /^https?:\/\/[^/]/.test(url) && !credentials) webhook = { url, headersFromEnv };
      }
    }
    let syslog: SocServeConfig["syslog"];
    const sf = m.get("syslog");
    if (sf) {
      const s = fields(sf.node, "soc.syslog", ["host", "port", "facility"]);
      if (s) {
        const host = str(required(s, "host", "soc.syslog", sf.node), "a host name or address");
        const portField = required(s, "port", "soc.syslog", sf.node);
        let port: number | undefined;
        if (portField) {
          const v = isScalar(portField.node) ? portField.node.value : undefined;
          if (typeof v === "number" && Number.isInteger(v) && v > 0 && v < 65536) port = v;
          else at(portField.node ?? portField.pair.key, portField.key, "expected a TCP port (1-65535)");
        }
        let facility = 13;
        const ff = s.get("facility");
        if (ff) {
          const v = isScalar(ff.node) ? ff.node.value : undefined;
          if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 23) facility = v;
          else if (typeof v === "string" && FACILITIES[v] !== undefined) facility = FACILITIES[v]!;
          else
            at(
              ff.node ?? ff.pair.key,
              ff.key,
              `expected a syslog facility: 0-23 or a name${typeof v === "string" ? suggest(v, Object.keys(FACILITIES)) : " (audit, auth, local0 … local7)"}`,
            );
        }
        if (host !== undefined && port !== undefined) syslog = { host, port, facility };
      }
    }
    if (!wf && !sf) at(f.pair.key as Node, "soc", "name a receiver: webhook: { url: … } or syslog: { host: …, port: … } (or both)");
    if (spool === undefined || (wf && !webhook) || (sf && !syslog)) return undefined;
    return { spool: file(spool), ...(webhook ? { webhook } : {}), ...(syslog ? { syslog } : {}) };
  }

  function entriesOf(f: Field): Field[] {
    if (!isMap(f.node)) {
      at(f.node ?? f.pair.key, f.key, "expected a mapping (HEADER: ENV_VAR)");
      return [];
    }
    return f.node.items.map((pair) => {
      const k = isScalar(pair.key) ? String(pair.key.value) : "";
      const pos = lines.linePos((pair.value as Node | null)?.range?.[0] ?? (pair.key as Node).range?.[0] ?? 0);
      positions.set(`${f.key}.${k}`, { line: pos.line, column: pos.col });
      return { key: `${f.key}.${k}`, node: pair.value as Node, pair };
    });
  }
}

/**
 * The exporter's settings for a config's `soc:` section, reading each webhook header's value from the
 * environment variable the config names. A variable that is unset or empty is a problem at its line.
 */
export function socExporterConfig(
  config: ServeConfig,
  env: Record<string, string | undefined> = process.env,
): { ok: true; soc: SocConfig } | { ok: false; problems: ConfigProblem[] } {
  const soc = config.soc;
  if (soc === undefined) return { ok: false, problems: [] };
  const problems: ConfigProblem[] = [];
  const headers: Record<string, string> = {};
  for (const [header, name] of Object.entries(soc.webhook?.headersFromEnv ?? {})) {
    const value = env[name];
    if (value === undefined || value === "") {
      const key = `soc.webhook.headers_from_env.${header}`;
      const pos = config.positions?.get(key) ?? { line: 0, column: 0 };
      problems.push({
        key,
        ...pos,
        message: `the environment variable ${name} is ${value === undefined ? "not set" : "empty"}; set it to the value of the ${header} header before starting charter serve`,
      });
    } else headers[header] = value;
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    soc: {
      spool: soc.spool,
      ...(soc.webhook ? { webhook: { url: soc.webhook.url, ...(Object.keys(headers).length ? { headers } : {}) } } : {}),
      ...(soc.syslog ? { syslog: soc.syslog } : {}),
    },
  };
}

/** ` (did you mean 'x'?)` for a close candidate, else "" . */
function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best ? ` (did you mean '${best}'?)` : candidates.length ? ` (expected one of: ${candidates.join(", ")})` : "";
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
