// Runs the real `charter` binary as a subprocess, as a user or CI would.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./paths.js";

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function charter(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, "cli/bin/charter.js"), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, CHARTER_TODAY: "2026-11-25", NO_COLOR: "1", FORCE_COLOR: "", ...options.env },
    input: options.input ?? "",
    encoding: "utf8",
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The MCP tool server the gateway tests put behind `charter gateway` (test/fixtures/mcp-tool-server.mjs). */
export const TOOL_SERVER = [process.execPath, join(ROOT, "test/fixtures/mcp-tool-server.mjs")];

/**
 * `charter gateway` arguments for the procurement example's agent (examples/procurement.charter, built to
 * `bundle`) with tool results counted as source `rag`: `extra` options, then `--` and the upstream command.
 */
export function procurementGatewayArgs(bundle: string, audit: string, extra: string[] = [], upstream: string[] = TOOL_SERVER): string[] {
  return [
    "gateway",
    "--bundle",
    bundle,
    "--agent",
    "procurement-assistant-v2",
    "--source",
    "rag",
    "--audit",
    audit,
    ...extra,
    "--",
    ...upstream,
  ];
}
