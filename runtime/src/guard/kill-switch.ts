// The kill switch: which agents are isolated, and why. The decision core asks it in one place
// (`isolation`), for the calling agent and for the agent a `talks_to` call reaches.
import type { Decision } from "./decision.js";

export class KillSwitch {
  private all: string | undefined;
  private readonly agents = new Map<string, string>();

  /** Returns false when it was already isolated (the first reason stands). */
  isolate(reason: string, agent?: string): boolean {
    if (agent === undefined) {
      if (this.all !== undefined) return false;
      this.all = reason;
      return true;
    }
    if (this.agents.has(agent)) return false;
    this.agents.set(agent, reason);
    return true;
  }

  release(agent?: string): void {
    if (agent === undefined) {
      this.all = undefined;
      this.agents.clear();
    } else this.agents.delete(agent);
  }

  isIsolated(agent?: string): boolean {
    return this.all !== undefined || (agent !== undefined && this.agents.size > 0 && this.agents.has(agent));
  }

  /** The refusal for a call of (or into) `agent`, or undefined while it may run. */
  isolation(agent: string): Decision | undefined {
    if (this.all !== undefined) return { outcome: "deny", rule: "isolated", reason: `the runtime is isolated: ${this.all}` };
    if (this.agents.size === 0) return undefined;
    const why = this.agents.get(agent);
    return why === undefined ? undefined : { outcome: "deny", rule: "isolated", reason: `agent ${agent} is isolated: ${why}` };
  }
}
