// vitest global setup: a private redis-server for the tests, in a temp dir, on 127.0.0.1 and a free
// port, no persistence. Debian's `redis-server` package is installed by ensureCommand when missing.
// Tests read inject("redisUrl") (and redisPort, to start a second server on that port after stopping
// it, for the outage tests); teardown stops it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "node:net";
import { ensureCommand } from "./debian.js";
import { freePort } from "./free-port.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    redisServer: string;
  }
}

interface Provider {
  provide(key: "redisUrl" | "redisServer", value: string): void;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: "127.0.0.1", port }, () => {
      c.end();
      resolve(true);
    });
    c.on("error", () => resolve(false));
  });
}

export async function startRedis(server: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    server,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes"],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 200; i++) {
    if (await reachable(port)) return child;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
}

export default async function setup(project: Provider): Promise<() => Promise<void>> {
  const server = ensureCommand(["redis-server"], ["redis-server"]);
  const dir = mkdtempSync(join(tmpdir(), "charter-redis-"));
  const port = await freePort();
  const child = await startRedis(server, port, dir);
  project.provide("redisUrl", `redis://127.0.0.1:${port}`);
  project.provide("redisServer", server);
  return async () => {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
}
