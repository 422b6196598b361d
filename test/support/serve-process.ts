// `charter serve` as a child process, the way replica tests run it: the real binary, its URL read from
// its "listening on" line, SIGTERM to stop, and its audit log read back as records.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./paths.js";

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** the audit log the config names, for records() */
  audit: string;
}

/** Starts `charter serve --config CONFIG` and resolves once it listens; rejects with its stderr if it exits. */
export async function startServeProcess(name: string, config: string, audit: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(ROOT, "cli/bin/charter.js"), "serve", "--config", config], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (c: string) => {
      err += c;
      const m = /listening on (http:\/\/\S+)\/mcp/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`charter serve ${name} exited ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err, audit };
}

/** SIGTERM, and wait for the exit (a no-op for a process already gone). */
export async function stopServeProcess(r: ServeProcess): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return; // exited, or killed by a signal
  const exited = new Promise((res) => r.child.once("exit", res));
  r.child.kill("SIGTERM");
  await exited;
}

/** An MCP SDK client connected to the gateway as the agent whose bearer token this is. */
export async function connectAgent(url: string, token: string, name: string): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url + "/mcp"), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  return client;
}

/** The records of a JSONL audit log, in order. */
export function auditRecords(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
