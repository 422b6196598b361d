// The entry point a server uses to open shared state from configuration (DEPLOYMENT.md §1, §5):
// `state: { memory: {} }` or `state: { redis: "redis://127.0.0.1:6379" }`. Errors are values.
import { MemoryStateStore } from "./memory-state.js";
import { RedisStateStore, type RedisStateOptions } from "./redis-state.js";
import type { StateStore } from "./state-store.js";

export type StateConfig = { memory: Record<string, never> } | { redis: string };

export type StateOpen = { ok: true; state: StateStore } | { ok: false; message: string };

export async function openStateStore(config: StateConfig, options: RedisStateOptions = {}): Promise<StateOpen> {
  if (typeof config !== "object" || config === null) return { ok: false, message: "state: expected { memory: {} } or { redis: URL }" };
  const keys = Object.keys(config);
  if (keys.length !== 1 || (keys[0] !== "memory" && keys[0] !== "redis")) {
    const bad = keys.find((k) => k !== "memory" && k !== "redis");
    return {
      ok: false,
      message: bad ? `state.${bad}: unknown key (state takes memory or redis)` : "state: name exactly one of memory or redis",
    };
  }
  if ("memory" in config) {
    const m = config.memory as unknown;
    if (typeof m !== "object" || m === null || Object.keys(m).length > 0)
      return { ok: false, message: "state.memory: takes no settings ({})" };
    return { ok: true, state: new MemoryStateStore() };
  }
  const url = (config as { redis: unknown }).redis;
  if (typeof url !== "string" || !/^rediss?:\/\//.test(url)) return { ok: false, message: "state.redis: expected a redis:// URL" };
  return { ok: true, state: await RedisStateStore.open(url, options) };
}
