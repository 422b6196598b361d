// `charter serve`: the MCP gateway as infrastructure (DEPLOYMENT.md §1). One HTTP server for many agents:
// a bearer token (or JWT) names the agent; each MCP session gets its own SDK Server bound to that agent,
// in front of the agent's upstream tool servers (shared connections). Every call is decided by the guard
// of the current bundle; definitions and results are content, scored before the agent reads them. The
// bundle is reloaded on SIGHUP or when its file changes; a refused bundle keeps the last good one.
// The audit log is a file or a PostgreSQL chain (openAuditSink); rate windows and the kill switch live
// in the shared state (openStateStore: memory, or Redis shared by replicas), which fails closed.
// Approvals are a plug-in (routes + approver), so the approval service mounts here without serve
// knowing its internals.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  CancelledNotificationSchema,
  GetPromptRequestSchema,
  isInitializeRequest,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { Bundle } from "@charter/language";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, unwatchFile, watchFile } from "node:fs";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Approver } from "../approval/request-approval.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { AuditEvent } from "../audit/record.js";
import { openAuditSink, type AuditConfig } from "../audit/open-audit-sink.js";
import { loadBundle } from "../bundle/load-bundle.js";
import type { Detector } from "../detector/types.js";
import { toolDefinitionDigest } from "../gateway/mcp-gateway.js";
import { inspectPrompt, inspectResource, inspectToolResult, refusal, resultSourceOf, scoreDefinition } from "../gateway/inspect-content.js";
import type { DecisionRule } from "../guard/decision.js";
import { createGuard, type Guard } from "../guard/guard.js";
import { MemoryRateStore, type RateStore } from "../rate/rate-store.js";
import { MemorySessionStore } from "../session/session-store.js";
import { bindGuardToState, guardOptionsFor, type StateBinding } from "../state/bind-guard.js";
import { openStateStore } from "../state/open-state-store.js";
import { loadBaseline } from "../monitor/baseline.js";
import type { IsolationState, StateStore } from "../state/state-store.js";
import { createApprovalService, loadApproverDirectory, type ApprovalService } from "../approval/index.js";
import { Authenticator } from "./auth.js";
import { CallAbort } from "./call-abort.js";
import { AuthRefusalThrottle } from "./auth-throttle.js";
import { FastAnswer, type FastCall, fastToolCall, handlerError } from "./fast-call.js";
import { handleWithTransport } from "./http-transport.js";
import { type AgentConfig, describeConfigProblems, type ServeConfig, socExporterConfig } from "./config.js";
import { explainFileError, explainPostgresError, redactUrl } from "../io-errors.js";
import { openSocExporter, type SocExporter } from "../soc/soc-exporter.js";
import { registerSocMetrics } from "../soc/soc-metrics.js";
import { type RestartBackoff, Upstream } from "./upstream.js";

/** What the approval service (or anything else) mounts into serve. */
export interface ServePlugin {
  /** Handles a request serve does not; resolves true when it answered it. */
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Asked for every call that needs approval; `signal` aborts when the call is withdrawn. */
  approver?: Approver;
  /** Withdraws every pending request (shutdown); serve also aborts each waiting call's signal. */
  withdrawAll?: (reason: string) => void | Promise<void>;
  close?: () => void | Promise<void>;
}

export interface ServeContext {
  config: ServeConfig;
  audit: AuditLog;
  /** the guard of the current bundle (it changes on reload) */
  guard: () => Guard;
  /** the kill switch, kept across reloads and shared by every replica on the same state store */
  isolate: (reason: string, agent?: string) => Promise<void>;
  release: (agent?: string, reason?: string) => Promise<void>;
  isIsolated: (agent?: string) => boolean;
  log: (line: string) => void;
  /** work/state: the shared state (pending approvals are shared through it when it is Redis) */
  state?: StateStore;
}

export interface ServeOptions {
  config: ServeConfig;
  /** warnings and alerts, one line each (default: stderr) */
  log?: (line: string) => void;
  /** the approval service and other mounts; built once the audit log and guard exist */
  plugins?: ((ctx: ServeContext) => ServePlugin | Promise<ServePlugin>)[];
  detector?: Detector;
  /** open this audit log instead of the config's (tests, embedding) */
  audit?: AuditLog;
  /** use this shared state instead of the config's (tests, embedding); serve closes it */
  state?: StateStore;
  /** watch the bundle file for changes (default true) */
  watchBundle?: boolean;
  /** when a crashed stdio upstream is restarted (default: after 250 ms, doubling up to 30 s) */
  upstreamRestart?: RestartBackoff;
  /**
   * Answer a plain `tools/call` on an established session without the SDK transport (fast-call.ts;
   * default true). false: every request goes through the SDK (the fast path's differential test).
   */
  fastPath?: boolean;
}

export interface ReloadResult {
  ok: boolean;
  digest: string;
  message: string;
}

export interface ServeHandle {
  url: string;
  port: number;
  /** warnings found at startup (also logged) */
  warnings: string[];
  digest(): string;
  reload(): Promise<ReloadResult>;
  /** stop accepting, withdraw pending approvals, close sessions and upstreams, flush the audit log */
  close(): Promise<void>;
  metrics: Registry;
}

export class ServeStartError extends Error {}

interface AgentRoute {
  config: AgentConfig;
  /** tool name → the upstream publishing it, from the last listing */
  tools: Map<string, Upstream>;
  /** names published by more than one of the agent's upstreams: never routed */
  ambiguous: Set<string>;
}

interface Session {
  id: string;
  agent: string;
  server: Server;
  transport: WebStandardStreamableHTTPServerTransport;
  lastSeen: number;
  /** waiting calls by JSON-RPC id, aborted when the client goes away */
  inflight: Map<string | number, CallAbort>;
  /** the calls of `inflight` the fast path answers */
  fast: Map<string | number, FastAnswer>;
  /** fast answers still open: the calls above, and cancelled ones (their stream stays open, as the SDK's) */
  open: Set<FastAnswer>;
}

const SESSION_IDLE_MS = 30 * 60_000;
const PROGRESS_EVERY_MS = 5_000;

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const { config } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const warnings: string[] = [];
  const warn = (line: string): void => {
    warnings.push(line);
    log(`charter serve: warning: ${line}`);
  };

  // ---- bundle and audit log
  const first = loadBundle(config.bundle, config.publicKey ? { publicKey: readKey(config.publicKey) } : {});
  if (!first.ok) throw new ServeStartError(`${config.bundle}: bundle refused (${first.error.kind}): ${first.error.message}`);
  const unusable = checkAgainstBundle(config, first.bundle);
  if (unusable.length > 0) throw new ServeStartError(unusable.join("\n"));
  // work/state: the monitor's baseline (its counters are in the shared state, below)
  const baselineLoaded = config.baseline === undefined ? undefined : loadBaseline(config.baseline);
  if (baselineLoaded !== undefined && !baselineLoaded.ok)
    throw new ServeStartError(`${config.path}: baseline: ${baselineLoaded.error.message}`);
  const baseline = baselineLoaded?.ok ? baselineLoaded.baseline : undefined;
  let audit: AuditLog;
  // soc: alerts, guardrail events and isolations leave for the SIEM as they are audited (a sink teed after the log)
  let soc: SocExporter | undefined;
  if (options.audit) {
    audit = options.audit;
    if (config.soc) warn("soc: ignored, the audit log was handed in by the embedding program (pass the exporter to it instead)");
  } else {
    const a = config.audit;
    if (config.soc) {
      const wanted = socExporterConfig(config);
      if (!wanted.ok) throw new ServeStartError(describeConfigProblems(config.path, wanted.problems));
      const opened = openSocExporter(wanted.soc);
      if (!opened.ok) throw new ServeStartError(`${config.path}: ${opened.message}`);
      soc = opened.exporter;
    }
    if (a.file !== undefined) {
      // a fresh deployment's audit/charter.jsonl: the folder is ours to create, like the log itself
      try {
        mkdirSync(dirname(a.file), { recursive: true, mode: 0o750 });
      } catch (e) {
        await soc?.close();
        throw new ServeStartError(
          `${config.path}: audit.file: cannot create the directory ${dirname(a.file)}: ${explainFileError(e, dirname(a.file), "write")}`,
        );
      }
    }
    const ck = a.checkpointKey !== undefined ? { checkpoint_key: a.checkpointKey } : {};
    const wanted: AuditConfig =
      a.file !== undefined
        ? { file: a.file, fsync: a.fsync, ...ck }
        : { postgres: a.postgres!, ...ck, ...(a.chain !== undefined ? { chain: a.chain } : {}) };
    const opened = await openAuditSink(wanted, { bundle: first.bundle.digest, ...(soc ? { also: [soc] } : {}) });
    if (!opened.ok) {
      await soc?.close();
      const message = a.postgres !== undefined ? explainPostgresError(opened.message, redactUrl(a.postgres)) : opened.message;
      throw new ServeStartError(`${config.path}: ${message}`);
    }
    audit = opened.log;
  }

  // ---- shared state (DEPLOYMENT.md §5): rate windows and the kill switch, in memory or in Redis
  let state: StateStore;
  if (options.state) state = options.state;
  else {
    const opened = await openStateStore(config.state.kind === "redis" ? { redis: config.state.url } : { memory: {} });
    if (!opened.ok) {
      await audit.close().catch(() => undefined);
      await soc?.close();
      throw new ServeStartError(`${config.path}: ${opened.message}`);
    }
    state = opened.state;
  }
  // an unreachable store denies every call (fail closed) until it is back; the binding audits the changes
  let stateDown: string | undefined;
  const stopHealth = state.onHealth((h) => {
    stateDown = h.ok ? undefined : h.message;
    log(`charter serve: ${h.ok ? "" : "alert: "}${h.message}`);
  });
  if ((state as { isHealthy?: boolean }).isHealthy === false) {
    stateDown = `the shared state ${config.state.kind === "redis" ? redactUrl(config.state.url) : ""} is unreachable`;
    warn(`${stateDown}: every call is denied until it is back (fail closed)`);
    audit.write({
      agent: "charter-runtime",
      session: "",
      event: "state",
      trace: [{ rule: "state.unavailable", reason: `${stateDown}: every call is denied until it is back (fail closed)` }],
      outcome: "unavailable",
    });
  }
  /** the isolations in force, as the shared state last reported them (the approval service asks synchronously) */
  let isolations: IsolationState = { agents: new Map() };
  // isolations already in force apply to the first call (an unreachable store denies every call anyway)
  if (state.kind !== "memory" && stateDown === undefined) isolations = await state.killSwitch.current().catch(() => isolations);
  const stopMirror = state.killSwitch.watch((s) => {
    isolations = s;
  });

  const rates: RateStore = new MemoryRateStore();
  const histories = new MemorySessionStore();
  let plugin: ServePlugin = {};
  // the approval service answers when approvers are configured (or a plugin brings an approver);
  // otherwise a call that needs approval is refused as `no_approver`
  const hasApprover = config.approvers.size > 0 || (options.plugins?.length ?? 0) > 0;
  const approver: Approver = (req, ctx) => {
    const p = plugin.approver;
    if (p === undefined) return Promise.reject(new Error("no approval service is configured"));
    return p(req, ctx);
  };
  let binding: StateBinding | undefined;
  /**
   * A guard over `bundle`, its rate windows in the shared state, following the shared kill switch. The
   * memory store hands the binding its isolations at once; for Redis the last known ones are applied
   * first, so a reload leaves no gap. On a reload the isolations are carried over without a second
   * audit record: they are on record since they were made.
   */
  const makeGuard = (bundle: Bundle, reload = false): Guard => {
    const g = createGuard(bundle, {
      audit,
      rateStore: rates,
      ...guardOptionsFor(state),
      sessionStore: histories,
      ...(baseline ? { baseline } : {}),
      ...(hasApprover ? { approver } : {}),
      ...(options.detector ? { detector: options.detector } : {}),
      alerts: (a) => log(`charter serve: alert: ${a.agent}: ${a.message}`),
    });
    if (state.kind !== "memory") {
      const isolate = reload
        ? (reason: string, agent?: string) => g.restoreIsolation(reason, agent)
        : (reason: string, agent?: string) => g.isolate(reason, agent);
      if (isolations.all !== undefined) isolate(isolations.all);
      for (const [agent, reason] of isolations.agents) isolate(reason, agent);
    }
    binding?.unbind();
    binding = bindGuardToState(g, state, { audit, carried: reload });
    return g;
  };
  let guard = makeGuard(first.bundle);
  let bundleDigest = first.bundle.digest;
  const alert = (rule: string, reason: string, outcome: string): void => {
    log(`charter serve: alert: ${reason}`);
    audit.write({ agent: "charter-serve", session: "", event: "alert", trace: [{ rule, reason }], outcome });
  };

  // ---- metrics
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  if (soc) registerSocMetrics(soc, metrics);
  const decisions = new Counter({
    name: "charter_decisions_total",
    help: "tool call decisions",
    labelNames: ["agent", "tool", "outcome"] as const,
    registers: [metrics],
  });
  const approvals = new Counter({
    name: "charter_approvals_total",
    help: "approval requests by how they ended",
    labelNames: ["outcome"] as const,
    registers: [metrics],
  });
  const latency = new Histogram({
    name: "charter_call_duration_seconds",
    help: "tools/call handled by the gateway, decision and upstream included",
    labelNames: ["agent", "outcome"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
    registers: [metrics],
  });
  // the labelled children of a call's metrics, looked up once per (agent, tool, outcome)
  const callChildren = new Map<string, { decided: { inc(): void }; took: { observe(v: number): void } }>();
  const callMetrics = (agent: string, tool: string, outcome: string, seconds: number): void => {
    const key = `${agent}\u0000${tool}\u0000${outcome}`;
    let c = callChildren.get(key);
    if (c === undefined) {
      if (callChildren.size > 10_000) callChildren.clear();
      c = { decided: decisions.labels({ agent, tool, outcome }), took: latency.labels({ agent, outcome }) };
      callChildren.set(key, c);
    }
    c.decided.inc();
    c.took.observe(seconds);
  };
  const fastCalls = new Counter({
    name: "charter_fast_path_calls_total",
    help: "tools/call requests answered by serve's fast path instead of the SDK transport",
    registers: [metrics],
  });
  const authFailures = new Counter({
    name: "charter_auth_failures_total",
    help: "requests refused for a missing or unknown token",
    registers: [metrics],
  });
  const withheldDefs = new Counter({
    name: "charter_tool_definitions_withheld_total",
    help: "tool definitions withheld as injections",
    labelNames: ["agent"] as const,
    registers: [metrics],
  });
  const reloads = new Counter({
    name: "charter_bundle_reloads_total",
    help: "bundle reloads",
    labelNames: ["result"] as const,
    registers: [metrics],
  });

  // ---- upstreams
  const upstreams = new Map<string, Upstream>();
  for (const u of config.upstreams.values()) upstreams.set(u.name, new Upstream(u, options.upstreamRestart));
  await Promise.all([...upstreams.values()].map((u) => u.start()));
  for (const u of upstreams.values()) if (u.failure !== undefined) warn(`upstream ${u.name} did not start: ${u.failure}`);

  const routes = new Map<string, AgentRoute>();
  for (const a of config.agents.values()) routes.set(a.name, { config: a, tools: new Map(), ambiguous: new Set() });
  const rebuildRoutes = (startup: boolean): string[] => {
    const clashes: string[] = [];
    for (const r of routes.values()) {
      const tools = new Map<string, Upstream>();
      const ambiguous = new Set<string>();
      for (const name of r.config.upstreams) {
        const u = upstreams.get(name)!;
        for (const tool of u.tools.keys()) {
          const other = tools.get(tool);
          if (other !== undefined && other !== u) {
            ambiguous.add(tool);
            clashes.push(
              `agent ${r.config.name}: tool '${tool}' is published by both upstream ${other.name} and upstream ${u.name}; a tool name must name one tool`,
            );
          } else tools.set(tool, u);
        }
      }
      for (const t of ambiguous) tools.delete(t);
      r.tools = tools;
      r.ambiguous = ambiguous;
    }
    if (!startup) for (const c of clashes) alert("gateway.tool_clash", c, "withheld");
    return clashes;
  };
  const clashes = rebuildRoutes(true);
  const closeState = async (): Promise<void> => {
    binding?.unbind();
    stopMirror();
    stopHealth();
    await state.close().catch(() => undefined);
  };
  if (clashes.length > 0) {
    await Promise.all([...upstreams.values()].map((u) => u.close()));
    await closeState();
    await audit.close().catch(() => undefined);
    await soc?.close();
    throw new ServeStartError(clashes.join("\n"));
  }
  const sessions = new Map<string, Session>();
  const notifyToolsChanged = (): void => {
    for (const s of sessions.values()) s.server.sendToolListChanged().catch(() => undefined);
  };
  for (const u of upstreams.values()) {
    u.onToolsChanged = () => {
      rebuildRoutes(false);
      notifyToolsChanged();
    };
    // a crashed stdio server: audited, its calls refused as unavailable meanwhile, restarted with backoff
    u.onExit = (reason, inMs) =>
      alert("upstream.exited", `upstream ${u.name} is down: ${reason}; restarting it in ${inMs} ms`, "unavailable");
    u.onRestart = (attempt) => alert("upstream.restarted", `upstream ${u.name} is running again (restart ${attempt})`, "restarted");
  }

  const bundleWarnings = (g: Guard): string[] => {
    const out: string[] = [];
    for (const r of routes.values()) {
      const agent = g.bundle.agents[r.config.name];
      if (agent === undefined) continue;
      for (const [name, tool] of Object.entries(agent.tools)) {
        if (!g.isGranted(r.config.name, name)) continue;
        const u = r.tools.get(name);
        if (u === undefined) {
          if (!r.ambiguous.has(name))
            out.push(
              `agent ${r.config.name} is granted ${name}, but none of its upstreams (${r.config.upstreams.join(", ") || "none"}) publishes it`,
            );
          continue;
        }
        if (tool.pin !== null && toolDefinitionDigest(u.tools.get(name)!) !== tool.pin) {
          out.push(
            `agent ${r.config.name}: the definition of pinned tool ${name} published by upstream ${u.name} does not match its pin (${tool.pin}); it is withheld`,
          );
        }
      }
    }
    return out;
  };
  for (const w of bundleWarnings(guard)) warn(w);

  // ---- tool definitions: scored once per (agent, definition), audited when withheld
  const verdicts = new Map<string, boolean>();
  /** a listed Tool object's digest, computed once (the call path asks for it on every call) */
  const digests = new WeakMap<Tool, string>();
  const digestOf = (tool: Tool): string => {
    let d = digests.get(tool);
    if (d === undefined) digests.set(tool, (d = toolDefinitionDigest(tool)));
    return d;
  };
  const definitionAdmitted = (agent: AgentConfig, tool: Tool): boolean => {
    const key = agent.name + "\u0000" + digestOf(tool);
    let ok = verdicts.get(key);
    if (ok === undefined) {
      ok = scoreDefinition(guard, audit, agent.name, agent.source, "", tool).ok;
      if (!ok) {
        withheldDefs.inc({ agent: agent.name });
        log(`charter serve: alert: agent ${agent.name}: the definition of ${tool.name} looks like a prompt injection; it is withheld`);
      }
      if (verdicts.size > 100_000) verdicts.clear();
      verdicts.set(key, ok);
    }
    return ok;
  };
  /** the tool as the agent may see it, or the reason it may not */
  const visible = (route: AgentRoute, name: string): { tool: Tool; upstream: Upstream } | { refused: string; rule: DecisionRule } => {
    const u = route.tools.get(name);
    if (u === undefined) {
      return route.ambiguous.has(name)
        ? { refused: `${name} is published by several upstreams of ${route.config.name}`, rule: "unavailable" as DecisionRule }
        : { refused: `no upstream of ${route.config.name} publishes ${name}`, rule: "unavailable" as DecisionRule };
    }
    const tool = u.tools.get(name)!;
    const pin = guard.bundle.agents[route.config.name]?.tools[name]?.pin ?? null;
    if (pin !== null && digestOf(tool) !== pin)
      return { refused: `the published definition of ${name} does not match the policy's pin`, rule: "pin" };
    if (!definitionAdmitted(route.config, tool))
      return { refused: `the definition of ${name} looks like a prompt injection and is withheld`, rule: "definition" as DecisionRule };
    return { tool, upstream: u };
  };

  const listTools = async (route: AgentRoute): Promise<Tool[]> => {
    await Promise.all(
      route.config.upstreams.map((n) =>
        upstreams
          .get(n)!
          .refresh()
          .catch(() => undefined),
      ),
    );
    const out: Tool[] = [];
    for (const name of route.tools.keys()) {
      if (!guard.isGranted(route.config.name, name)) continue;
      const v = visible(route, name);
      if ("refused" in v) continue;
      // structured output is folded into text (it is inspected), so its schema must not be promised
      const { outputSchema: _o, ...rest } = v.tool;
      out.push(rest);
    }
    return out;
  };

  const callTool = async (
    session: Session,
    route: AgentRoute,
    name: string,
    args: Record<string, unknown> | undefined,
    reasoning: string | undefined,
    withdrawn: CallAbort,
  ): Promise<CallToolResult> => {
    const started = performance.now();
    const agent = route.config.name;
    const call = { agent, session: session.id, tool: name, args, ...(reasoning !== undefined ? { reasoning } : {}) };
    let outcome = "deny";
    try {
      let target: Upstream | undefined;
      if (guard.isGranted(agent, name)) {
        const v = visible(route, name);
        if ("refused" in v) {
          const d = guard.refuse(call, v.rule, v.refused);
          return refusal(`Charter refused ${name}: ${d.reason}`);
        }
        target = v.upstream;
      }
      const g = guard;
      if (stateDown !== undefined) {
        const d = g.refuse(call, "state_unavailable", `${stateDown}: failing closed`);
        return refusal(`Charter refused ${name}: ${d.reason}`);
      }
      if (target?.down !== undefined) {
        outcome = "upstream_down";
        const d = g.refuse(call, "unavailable" as DecisionRule, `upstream ${target.name} is down (${target.down}); it is being restarted`);
        return refusal(`Charter refused ${name}: ${d.reason}`);
      }
      // the signal is made only if the decision reads it (a call that waits for a human)
      const decision = await g.authorize({
        ...call,
        get signal() {
          return withdrawn.signal;
        },
      });
      if (decision.approval !== undefined) approvals.inc({ outcome: decision.approval });
      if (decision.outcome !== "allow") return refusal(`Charter refused ${name}: ${decision.reason}`);
      if (target === undefined) return refusal(`Charter refused ${name}: no upstream publishes it`); // a talks_to interface
      if (withdrawn.aborted) return refusal(`Charter withdrew ${name}: the client cancelled the call`);
      outcome = "allow";
      let result: CallToolResult;
      try {
        result = await target.callTool(name, args, withdrawn, 300_000);
      } catch (e) {
        outcome = "upstream_error";
        return refusal(`the tool server failed on ${name}: ${(e as Error).message}`);
      }
      const source = resultSourceOf(g, agent, name, route.config.source);
      const inspected = inspectToolResult({ guard: g, agent, session: session.id, source }, name, result);
      if (inspected.isError && !result.isError) outcome = "result_refused";
      return inspected;
    } finally {
      callMetrics(agent, name, outcome, (performance.now() - started) / 1000);
    }
  };

  const anyResources = (route: AgentRoute): Upstream[] =>
    route.config.upstreams.map((n) => upstreams.get(n)!).filter((u) => u.config.resources && u.failure === undefined);

  const newSession = (agent: string): Session => {
    const route = routes.get(agent)!;
    const withResources = anyResources(route).length > 0;
    const server = new Server(
      { name: "charter-serve", version: "0.1.0" },
      { capabilities: { tools: { listChanged: true }, ...(withResources ? { resources: {}, prompts: {} } : {}) } },
    );
    const session: Session = {
      id: "",
      agent,
      server,
      transport: undefined as unknown as WebStandardStreamableHTTPServerTransport,
      lastSeen: Date.now(),
      inflight: new Map(),
      fast: new Map(),
      open: new Set(),
    };
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await listTools(route) }));
    // Protocol's registration, not Server's: Server wraps a tools/call handler to parse the request a second
    // time and its result against CallToolResultSchema. The request is parsed once here all the same, and
    // the result is ours (a refusal, or inspectToolResult's rebuild of what the upstream Client validated).
    const onCall = async (
      request: {
        params: {
          name: string;
          arguments?: Record<string, unknown>;
          _meta?: Record<string, unknown> & { progressToken?: string | number };
        };
      },
      extra: Parameters<Parameters<Server["setRequestHandler"]>[1]>[1],
    ): Promise<CallToolResult> => {
      const { name, arguments: args, _meta } = request.params;
      const controller = new CallAbort();
      const onAbort = (): void => controller.abort();
      extra.signal.addEventListener("abort", onAbort, { once: true });
      session.inflight.set(extra.requestId, controller);
      const token = _meta?.progressToken;
      let ticker: ReturnType<typeof setInterval> | undefined;
      if (token !== undefined) {
        let n = 0;
        ticker = setInterval(() => {
          extra
            .sendNotification({
              method: "notifications/progress",
              params: { progressToken: token, progress: ++n, message: `waiting for a decision on ${name}` },
            })
            .catch(() => undefined);
        }, PROGRESS_EVERY_MS);
      }
      try {
        const reasoning = typeof _meta?.["charter/reasoning"] === "string" ? (_meta["charter/reasoning"] as string) : undefined;
        return await callTool(session, route, name, args, reasoning, controller);
      } finally {
        if (ticker !== undefined) clearInterval(ticker);
        extra.signal.removeEventListener("abort", onAbort);
        session.inflight.delete(extra.requestId);
      }
    };
    (
      Protocol.prototype.setRequestHandler as unknown as (this: Server, schema: typeof CallToolRequestSchema, h: typeof onCall) => void
    ).call(server, CallToolRequestSchema, onCall);
    if (withResources) {
      const inspectOpts = () => ({ guard, agent, session: session.id, source: route.config.source });
      server.setRequestHandler(ListResourcesRequestSchema, async () => {
        const resources: Resource[] = [];
        for (const u of anyResources(route))
          resources.push(...((await u.client.listResources().catch(() => ({ resources: [] }))).resources ?? []));
        return { resources };
      });
      server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => {
        const resourceTemplates: ResourceTemplate[] = [];
        for (const u of anyResources(route))
          resourceTemplates.push(
            ...((await u.client.listResourceTemplates().catch(() => ({ resourceTemplates: [] }))).resourceTemplates ?? []),
          );
        return { resourceTemplates };
      });
      server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
        const errors: string[] = [];
        for (const u of anyResources(route)) {
          try {
            const r = await u.client.readResource(request.params);
            const out = inspectResource(inspectOpts(), request.params.uri, r);
            if (!out.ok) throw new Error(out.error);
            return out.result;
          } catch (e) {
            errors.push((e as Error).message);
            if ((e as Error).message.startsWith("Charter")) break;
          }
        }
        throw new Error(errors.find((m) => m.startsWith("Charter")) ?? `no upstream of ${agent} serves ${request.params.uri}`);
      });
      server.setRequestHandler(ListPromptsRequestSchema, async () => {
        const prompts: Prompt[] = [];
        for (const u of anyResources(route)) prompts.push(...((await u.client.listPrompts().catch(() => ({ prompts: [] }))).prompts ?? []));
        return { prompts };
      });
      server.setRequestHandler(GetPromptRequestSchema, async (request) => {
        for (const u of anyResources(route)) {
          const listed = await u.client.listPrompts().catch(() => ({ prompts: [] as Prompt[] }));
          if (!listed.prompts.some((p) => p.name === request.params.name)) continue;
          const out = inspectPrompt(inspectOpts(), request.params.name, await u.client.getPrompt(request.params));
          if (!out.ok) throw new Error(out.error);
          return out.result;
        }
        throw new Error(`no upstream of ${agent} has prompt ${request.params.name}`);
      });
    }
    session.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session.id = id;
        sessions.set(id, session);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    session.transport.onclose = () => {
      if (session.id) sessions.delete(session.id);
      // the session's waiting calls are withdrawn: an approval arriving later runs nothing
      for (const c of session.inflight.values()) c.abort();
      // and their streams end without an answer, as the SDK ends its own
      for (const a of session.open) a.end();
    };
    // Protocol.connect calls this before its own handler: a cancellation of a fast call is applied here as
    // the SDK applies it to its own (same schema, same falsy-id quirk); the SDK then finds nothing to cancel
    session.transport.onmessage = (message) => {
      if (session.fast.size === 0 || (message as { method?: unknown }).method !== "notifications/cancelled") return;
      const parsed = CancelledNotificationSchema.safeParse(message);
      const id = parsed.success ? parsed.data.params.requestId : undefined;
      if (!id) return;
      const answer = session.fast.get(id);
      if (answer === undefined) return;
      answer.cancelled = true;
      session.inflight.get(id)?.abort();
    };
    return session;
  };

  // ---- HTTP
  const tokenIndex = new Map<string, string>();
  for (const a of config.agents.values()) for (const h of a.tokenSha256) tokenIndex.set(h, a.name);
  const auth = new Authenticator(tokenIndex, config.jwt, (n) => config.agents.has(n));
  let ready = false;
  let closing = false;
  const fastPath = options.fastPath ?? true;

  // every refusal is counted; the first ones of a minute are audited one by one, the rest as one summary
  const authRefusals = new AuthRefusalThrottle({
    record: (reason) =>
      audit.write({
        agent: "unauthenticated",
        session: "",
        event: "auth_refused" as AuditEvent,
        trace: [{ rule: "auth", reason }],
        outcome: "unauthenticated",
      }),
    summarize: (s) =>
      audit.write({
        agent: "unauthenticated",
        session: "",
        event: "auth_refused" as AuditEvent,
        trace: [
          {
            rule: "auth.aggregated",
            reason: `${s.count} more requests refused within ${s.windowMs / 1000} s, recorded together: ${s.by.map(([k, n]) => `${k} ×${n}`).join("; ")}`,
          },
        ],
        outcome: "unauthenticated",
      }),
  });
  const refuseAuth = (req: IncomingMessage, res: ServerResponse, reason: string): void => {
    authFailures.inc();
    const from = req.socket.remoteAddress ?? "unknown";
    authRefusals.refused(from, reason, `${req.method} ${req.url} from ${from}: ${reason}`);
    sendJson(
      res,
      401,
      { error: "unauthorized", message: "a valid bearer token is required" },
      { "www-authenticate": 'Bearer realm="charter"' },
    );
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (closing) return sendJson(res, 503, { error: "shutting_down" });
    let who = auth.authenticate(req.headers.authorization);
    if (who instanceof Promise) who = await who;
    if (!who.ok) return refuseAuth(req, res, who.reason);
    const agent = who.principal;
    if (!routes.has(agent)) return refuseAuth(req, res, `${agent} is not an agent of this gateway`);
    const sid = req.headers["mcp-session-id"];
    let body: unknown;
    if (req.method === "POST") {
      try {
        body = JSON.parse(await readBody(req));
      } catch (e) {
        return sendJson(res, 400, { jsonrpc: "2.0", error: { code: -32700, message: `Parse error: ${(e as Error).message}` }, id: null });
      }
    }
    let session: Session | undefined;
    if (typeof sid === "string") {
      session = sessions.get(sid);
      // a session belongs to the agent that opened it: another agent's token finds nothing here
      if (session === undefined || session.agent !== agent)
        return sendJson(res, 404, { jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null });
    } else if (req.method === "POST" && isInitializeRequest(body)) {
      session = newSession(agent);
      await session.server.connect(session.transport);
    } else {
      return sendJson(res, 400, {
        jsonrpc: "2.0",
        error: { code: -32000, message: "Bad Request: no valid session id (initialize first)" },
        id: null,
      });
    }
    session.lastSeen = Date.now();
    if (fastPath) {
      const call = fastToolCall(req, body, session.id);
      // an id already in flight goes to the SDK, which has its own (odd) answer to a reused id
      if (call !== undefined && !session.inflight.has(call.id)) return answerFast(session, call, res);
    }
    if (body !== undefined) {
      // a client that hangs up on a waiting call withdraws it
      const ids = (Array.isArray(body) ? body : [body]).flatMap((m) =>
        m && typeof m === "object" && "id" in m && "method" in m ? [(m as { id: string | number }).id] : [],
      );
      if (ids.length > 0) {
        const s = session;
        res.once("close", () => {
          if (!res.writableFinished) for (const id of ids) s.inflight.get(id)?.abort();
        });
      }
    }
    await handleWithTransport(session.transport, req, res, body);
  };

  /** One call of the fast path (fast-call.ts): what onCall and the SDK do, without the SDK. */
  const answerFast = async (session: Session, call: FastCall, res: ServerResponse): Promise<void> => {
    fastCalls.inc();
    const route = routes.get(session.agent)!;
    const controller = new CallAbort();
    // a client that hangs up on a waiting call withdraws it
    const answer = new FastAnswer(
      res,
      session.id,
      () => controller.abort(),
      (a) => session.open.delete(a),
    );
    session.inflight.set(call.id, controller);
    session.fast.set(call.id, answer);
    session.open.add(answer);
    let message: object;
    try {
      const result = await callTool(session, route, call.name, call.args, call.reasoning, controller);
      message = { result, jsonrpc: "2.0", id: call.id };
    } catch (e) {
      message = handlerError(call.id, e);
    } finally {
      session.inflight.delete(call.id);
      session.fast.delete(call.id);
    }
    answer.send(message);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? "/";
    const path = url.split("?", 1)[0]!;
    if (path === "/mcp") return handleMcp(req, res);
    if (path === "/healthz" && req.method === "GET") {
      // an audit store that fails refuses every call: not ok, with the reason
      const failing = ready && !closing ? audit.failure : undefined;
      if (failing !== undefined) return sendJson(res, 503, { status: "audit_failing", reason: failing.message, bundle: bundleDigest });
      return ready && !closing
        ? sendJson(res, 200, { status: "ok", bundle: bundleDigest })
        : sendJson(res, 503, { status: closing ? "shutting_down" : "starting", bundle: bundleDigest });
    }
    if (path === "/metrics" && req.method === "GET") {
      const text = await metrics.metrics();
      res.writeHead(200, { "content-type": metrics.contentType });
      res.end(text);
      return;
    }
    if (plugin.routes !== undefined && (await plugin.routes(req, res))) return;
    sendJson(res, 404, { error: "not_found", message: `no route ${req.method} ${path}` });
  };

  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      log(`charter serve: error: ${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) sendJson(res, 500, { error: "internal", message: "the gateway failed on this request" });
      else res.end();
    });
  });
  http.keepAliveTimeout = 65_000;

  // ---- reload
  let reloading: Promise<ReloadResult> | undefined;
  const reload = (): Promise<ReloadResult> => {
    reloading ??= (async (): Promise<ReloadResult> => {
      // yield first: a reload decided synchronously would clear `reloading` before it was assigned
      await Promise.resolve();
      try {
        const next = loadBundle(config.bundle, config.publicKey ? { publicKey: readKey(config.publicKey) } : {});
        const problems = next.ok ? checkAgainstBundle(config, next.bundle) : [`bundle refused (${next.error.kind}): ${next.error.message}`];
        if (!next.ok || problems.length > 0) {
          reloads.inc({ result: "refused" });
          const message = `${config.bundle}: ${problems.join("; ")}; keeping bundle ${bundleDigest}`;
          alert("bundle.refused", message, "refused");
          return { ok: false, digest: bundleDigest, message };
        }
        if (next.bundle.digest === bundleDigest) return { ok: true, digest: bundleDigest, message: "unchanged" };
        const before = bundleDigest;
        guard = makeGuard(next.bundle, true);
        bundleDigest = next.bundle.digest;
        verdicts.clear();
        reloads.inc({ result: "loaded" });
        audit.write({
          agent: "charter-serve",
          session: "",
          event: "alert",
          trace: [{ rule: "bundle.reloaded", reason: `bundle ${before} replaced by ${bundleDigest}` }],
          outcome: "reloaded",
        });
        log(`charter serve: bundle reloaded: ${bundleDigest}`);
        await Promise.all([...upstreams.values()].map((u) => u.refresh().catch(() => undefined)));
        rebuildRoutes(false);
        for (const w of bundleWarnings(guard)) warn(w);
        notifyToolsChanged();
        return { ok: true, digest: bundleDigest, message: "reloaded" };
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  };
  const watch = options.watchBundle ?? true;
  if (watch) {
    watchFile(config.bundle, { interval: 500, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) void reload();
    });
  }

  // ---- plugins (the approval service)
  const context: ServeContext = {
    config,
    audit,
    guard: () => guard,
    log,
    // the shared state is the kill switch: every replica's binding applies it (this one's included) and
    // the answer waits until this replica's guard has it, so it denies from the response on
    isolate: async (reason, agent) => {
      try {
        await state.killSwitch.isolate({ reason, ...(agent !== undefined ? { agent } : {}) });
      } catch (e) {
        // the store is away: this replica isolates anyway (the others deny every call while it is away)
        guard.isolate(reason, agent);
        throw new Error(`the isolation holds on this replica only: the shared state could not be written (${(e as Error).message})`);
      }
      if (!(await until(() => guard.isIsolated(agent), 1000))) guard.isolate(reason, agent);
    },
    release: async (agent, reason) => {
      await state.killSwitch.release(agent, reason ?? "released by the admin");
      const lifted = (): boolean =>
        agent === undefined ? isolations.all === undefined && isolations.agents.size === 0 : !isolations.agents.has(agent);
      if (!(await until(lifted, 1000))) guard.release(reason ?? "released by the admin", agent);
    },
    isIsolated: (agent) => isolations.all !== undefined || (agent !== undefined && isolations.agents.has(agent)),
    state,
  };
  const mounted: ServePlugin[] = [];
  if (config.approvers.size > 0 || config.admin !== undefined) mounted.push(approvalPlugin(context, () => guard));
  for (const make of options.plugins ?? []) mounted.push(await make(context));
  plugin = combinePlugins(mounted);

  // ---- idle sessions
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const s of sessions.values()) if (s.lastSeen < cutoff && s.inflight.size === 0) void s.transport.close();
  }, 60_000);
  sweeper.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(config.port, config.host, () => {
        http.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    clearInterval(sweeper);
    if (watch) unwatchFile(config.bundle);
    await Promise.all([...upstreams.values()].map((u) => u.close()));
    await closeState();
    await audit.close().catch(() => undefined);
    await soc?.close();
    throw new ServeStartError(`cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
  }
  const address = http.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  ready = true;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      clearInterval(sweeper);
      if (watch) unwatchFile(config.bundle);
      const stopped = new Promise<void>((r) => http.close(() => r()));
      http.closeIdleConnections();
      // withdraw what is waiting for a human: no approval may run a call after shutdown
      await Promise.resolve(plugin.withdrawAll?.("the gateway is shutting down")).catch(() => undefined);
      for (const s of sessions.values()) for (const c of s.inflight.values()) c.abort();
      await Promise.all([...sessions.values()].map((s) => s.transport.close().catch(() => undefined)));
      http.closeAllConnections();
      await stopped;
      await Promise.resolve(plugin.close?.()).catch(() => undefined);
      await Promise.all([...upstreams.values()].map((u) => u.close()));
      await closeState();
      authRefusals.flush();
      await audit.flush().catch(() => undefined);
      // the last events get a moment to leave; what does not stays spooled for the next start
      await soc?.drain(1000);
      try {
        await audit.close(); // closes the exporter too (a sink of the log)
      } finally {
        await soc?.close();
      }
    })();
    return closed;
  };

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    warnings,
    digest: () => bundleDigest,
    reload,
    close,
    metrics,
  };
}

/** Problems that make a bundle unusable with this config (startup error, or a refused reload). */
function checkAgainstBundle(config: ServeConfig, bundle: Bundle): string[] {
  const out: string[] = [];
  for (const a of config.agents.values()) {
    const agent = bundle.agents[a.name];
    if (agent === undefined) {
      out.push(`agent ${a.name} of ${config.path} is not in the bundle (agents: ${Object.keys(bundle.agents).join(", ")})`);
      continue;
    }
    if (!Object.hasOwn(bundle.sources, a.source))
      out.push(`agents.${a.name}.source: no source '${a.source}' in the bundle (sources: ${Object.keys(bundle.sources).join(", ")})`);
    else if (!agent.reads.includes(a.source))
      out.push(`agents.${a.name}.source: ${a.name} does not read source '${a.source}' (it reads: ${agent.reads.join(", ") || "nothing"})`);
  }
  return out;
}

function combinePlugins(plugins: readonly ServePlugin[]): ServePlugin {
  const approver = plugins.find((p) => p.approver !== undefined)?.approver;
  return {
    routes: async (req, res) => {
      for (const p of plugins) if (p.routes !== undefined && (await p.routes(req, res))) return true;
      return false;
    },
    ...(approver ? { approver } : {}),
    withdrawAll: async (reason) => {
      for (const p of plugins) await p.withdrawAll?.(reason);
    },
    close: async () => {
      for (const p of plugins) await p.close?.();
    },
  };
}

/** Resolves true once `done()` holds, false after `ms`. */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

function readKey(pathOrKey: string): string {
  if (pathOrKey.startsWith("ed25519:")) return pathOrKey;
  try {
    return readFileSync(pathOrKey, "utf8").trim();
  } catch (e) {
    throw new ServeStartError(`cannot read public key ${pathOrKey}: ${explainFileError(e, pathOrKey)}`);
  }
}

const MAX_BODY = 4 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("body larger than 4 MiB"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The approval service of DEPLOYMENT.md §2, mounted: the config's approvers and admin, the agents (for the
 * remote approver of `charter gateway --approvals`), the kill switch that survives reloads, webhook
 * notifications from `notify:`. The service reads the current guard's bundle through a view, so a reload
 * is seen by the inbox and the agent endpoint too.
 */
function approvalPlugin(ctx: ServeContext, current: () => Guard): ServePlugin {
  const { config } = ctx;
  const agents: Record<string, { token_sha256: string }> = {};
  for (const a of config.agents.values()) if (a.tokenSha256[0] !== undefined) agents[a.name] = { token_sha256: a.tokenSha256[0] };
  const approvers: Record<string, { token_sha256: string; groups: string[] }> = {};
  for (const a of config.approvers.values()) approvers[a.name] = { token_sha256: a.tokenSha256, groups: a.groups };
  const loaded = loadApproverDirectory({
    approvers,
    agents,
    ...(config.admin ? { admin: { token_sha256: config.admin.tokenSha256 } } : {}),
  });
  if (!loaded.ok) throw new ServeStartError(loaded.errors.map((e) => `${config.path}: ${e.path}: ${e.message}`).join("\n"));
  const guardView = new Proxy({} as Guard, {
    get: (_t, key) => {
      const g = current() as unknown as Record<string | symbol, unknown>;
      const v = g[key];
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(g) : v;
    },
  });
  const webhook = notifyOption(config.notify);
  const service: ApprovalService = createApprovalService({
    directory: loaded.directory,
    audit: ctx.audit,
    guard: guardView,
    killSwitch: {
      isolate: (reason, agent) => ctx.isolate(reason, agent),
      release: (reason, agent) => ctx.release(agent, reason),
      isIsolated: (agent) => ctx.isIsolated(agent),
    },
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    ...(webhook ? { webhook } : {}),
    onError: (m) => ctx.log(`charter serve: approvals: ${m}`),
    // work/state: with Redis, a request asked through one replica is decided through any
    ...(ctx.state?.kind === "redis" ? { shared: ctx.state.approvals } : {}),
  });
  return {
    routes: (req, res) => service.handle(req, res),
    approver: service.approver,
    withdrawAll: (reason) => void service.withdrawAll(reason),
    close: () => service.close(),
  };
}

/** `notify: { webhook: URL }` or `notify: URL`. */
function notifyOption(notify: unknown): string | undefined {
  if (typeof notify === "string") return notify;
  if (notify !== null && typeof notify === "object" && typeof (notify as { webhook?: unknown }).webhook === "string")
    return (notify as { webhook: string }).webhook;
  return undefined;
}
