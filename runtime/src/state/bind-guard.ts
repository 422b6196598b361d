// Connects a replica's guard to the shared state: isolations made through any replica (the admin API's
// kill switch) reach this guard, and their explicit releases too (audited with the release's reason);
// outages of the store and its recovery, and isolations the store lost and this replica wrote back, are
// written to the audit log. The guard keeps deciding from its own copy, so a check of the kill switch
// costs nothing on the call path; the copy is at most one poll interval (250 ms) behind.
import type { AuditLog } from "../audit/audit-log.js";
import type { Guard } from "../guard/guard.js";
import type { SharedRateStore } from "../rate/rate-store.js";
import type { IsolationState, MonitorStore, StateStore } from "./state-store.js";

export interface StateBinding {
  /** Stops following the store (the guard keeps its isolations). */
  unbind(): void;
}

export function bindGuardToState(
  guard: Guard,
  state: StateStore,
  options: {
    audit?: AuditLog | null;
    /**
     * The guard replaces one that followed the store (a reload): the isolations the store hands over
     * while binding are already on record and are restored without a second record.
     */
    carried?: boolean;
  } = {},
): StateBinding {
  let applied: IsolationState = { agents: new Map() };
  let binding = true;
  const apply = (next: IsolationState): void => {
    const prev = applied;
    applied = next;
    const isolate =
      binding && options.carried === true
        ? (reason: string, agent?: string) => guard.restoreIsolation(reason, agent)
        : (reason: string, agent?: string) => guard.isolate(reason, agent);
    const why = (key: string): string => {
      const r = next.released?.get(key) ?? (key === "*" ? undefined : next.released?.get("*"));
      return r === undefined ? "lifted through the shared state" : `${r} (released through the shared state)`;
    };
    if (prev.all !== undefined && next.all === undefined) {
      guard.release(why("*"));
      // release() lifted every isolation: put back the agents still isolated
      for (const [agent, reason] of next.agents) isolate(reason, agent);
      return;
    }
    for (const agent of prev.agents.keys()) if (!next.agents.has(agent)) guard.release(why(agent), agent);
    // an isolation the guard already holds (carried over before binding) is not applied twice
    if (next.all !== undefined && prev.all === undefined && !guard.isIsolated()) isolate(next.all);
    for (const [agent, reason] of next.agents) if (!prev.agents.has(agent) && !guard.isIsolated(agent)) isolate(reason, agent);
  };
  const stopWatch = state.killSwitch.watch(apply);
  binding = false;
  const stopReasserted =
    state.killSwitch.onReasserted?.((i) => {
      options.audit?.write({
        agent: i.agent ?? "*",
        session: "",
        event: "state",
        trace: [
          {
            rule: "state.isolation_reasserted",
            reason: `the shared state had lost the isolation (${i.reason}) without a release: written back, it still holds`,
          },
        ],
        outcome: "reasserted",
      });
    }) ?? (() => undefined);
  const stopHealth = state.onHealth((h) => {
    options.audit?.write({
      agent: "charter-runtime",
      session: "",
      event: "state",
      trace: [
        {
          rule: h.ok ? "state.recovered" : "state.unavailable",
          reason: h.ok ? h.message : `${h.message}: every call is denied until it is back (fail closed)`,
        },
      ],
      outcome: h.ok ? "recovered" : "unavailable",
    });
  });
  return {
    unbind: () => {
      stopWatch();
      stopHealth();
      stopReasserted();
    },
  };
}

/**
 * What to pass to createGuard for this store: Redis-backed rate windows and monitor counters; the memory
 * store needs none (the guard's own in-process counters are the same, without a Promise per call).
 */
export function guardOptionsFor(state: StateStore): { sharedRates?: SharedRateStore; sharedMonitor?: MonitorStore } {
  return state.kind === "redis" ? { sharedRates: state.rates, sharedMonitor: state.monitor } : {};
}
