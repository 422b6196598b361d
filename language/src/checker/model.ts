// The checker's semantic layer: the questions checks ask of a file ("the agents", "the tools this
// agent grants", "the monitor block that applies to this agent", "is this a declared source"),
// answered from one pass over the declarations and memoised. Checks never re-walk the tree or
// import the compiler; everything here is linear in the size of the file.

import * as A from "../ast.js";

export interface EffectiveBlocks {
  monitor?: A.MonitorBlock;
  audit?: A.AuditBlock;
  monitorFromDefaults: boolean;
  auditFromDefaults: boolean;
}

export class SemanticModel {
  readonly policy: A.PolicyDecl | undefined;
  readonly defaults: A.DefaultsDecl | undefined;
  readonly agents: A.AgentDecl[] = [];
  readonly sourceDecls: A.SourceDecl[] = [];
  readonly tests: A.TestDecl[] = [];
  /** the first declaration of each name (later ones are duplicates: CH1001, CH1003) */
  readonly agentsByName = new Map<string, A.AgentDecl>();
  readonly sourcesByName = new Map<string, A.SourceDecl>();
  private readonly toolCache = new Map<A.AgentDecl, { list: A.ToolDecl[]; byName: Map<string, A.ToolDecl> }>();
  private readonly effectiveCache = new Map<A.AgentDecl, EffectiveBlocks>();

  constructor(readonly file: A.CharterFile) {
    let policy: A.PolicyDecl | undefined;
    let defaults: A.DefaultsDecl | undefined;
    for (const d of file.decls) {
      if (d.kind === "policy") policy ??= d;
      else if (d.kind === "defaults") defaults ??= d;
      else if (d.kind === "agent") {
        this.agents.push(d);
        if (!this.agentsByName.has(d.name.value)) this.agentsByName.set(d.name.value, d);
      } else if (d.kind === "source") {
        this.sourceDecls.push(d);
        if (!this.sourcesByName.has(d.name.value)) this.sourcesByName.set(d.name.value, d);
      } else if (d.kind === "test") this.tests.push(d);
    }
    this.policy = policy;
    this.defaults = defaults;
  }

  private toolsOf(agent: A.AgentDecl): { list: A.ToolDecl[]; byName: Map<string, A.ToolDecl> } {
    let t = this.toolCache.get(agent);
    if (!t) {
      const list = agent.items.filter((i): i is A.ToolDecl => i.kind === "tool");
      const byName = new Map<string, A.ToolDecl>();
      for (const tool of list) if (!byName.has(tool.name.value)) byName.set(tool.name.value, tool);
      this.toolCache.set(agent, (t = { list, byName }));
    }
    return t;
  }

  /** The tools an agent grants, in source order (duplicates included: CH1002). */
  tools(agent: A.AgentDecl): A.ToolDecl[] {
    return this.toolsOf(agent).list;
  }

  /** The first grant of a tool by name. */
  tool(agent: A.AgentDecl, name: string): A.ToolDecl | undefined {
    return this.toolsOf(agent).byName.get(name);
  }

  /** Names listed by every `reads`/`deny`/`exposes` statement of an agent. */
  names(agent: A.AgentDecl, key: "reads" | "deny" | "exposes"): A.Name[] {
    const out: A.Name[] = [];
    for (const i of agent.items) if (i.kind === "names" && i.key === key) out.push(...i.names);
    return out;
  }

  /** Every `talks_to` link of an agent, one per interface. */
  links(agent: A.AgentDecl): A.TalksTo["links"] {
    return agent.items.flatMap((i) => (i.kind === "talks_to" ? i.links : []));
  }

  /** The monitor and audit blocks that apply to an agent: its own, else the file's defaults. */
  effective(agent: A.AgentDecl): EffectiveBlocks {
    let e = this.effectiveCache.get(agent);
    if (!e) {
      const ownMonitor = A.item(agent.items, "monitor");
      const ownAudit = A.item(agent.items, "audit");
      const monitor = ownMonitor ?? (this.defaults && A.item(this.defaults.items, "monitor"));
      const audit = ownAudit ?? (this.defaults && A.item(this.defaults.items, "audit"));
      e = { monitorFromDefaults: !ownMonitor && !!monitor, auditFromDefaults: !ownAudit && !!audit };
      if (monitor) e.monitor = monitor;
      if (audit) e.audit = audit;
      this.effectiveCache.set(agent, e);
    }
    return e;
  }
}
