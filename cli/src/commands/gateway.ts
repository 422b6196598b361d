// `charter gateway --bundle B --agent A --source S -- COMMAND…`: the MCP gateway as a program. It
// speaks MCP on stdio to the agent, spawns the real tool server, and lets through only what the bundle
// allows, recording every decision in the audit log. The tool server gets the gateway's own environment
// plus `--env NAME=VALUE`. There is no human at a terminal to approve: with `--approvals URL` a call that
// needs approval waits for the approval service of a `charter serve` (CHARTER_TOKEN is the agent's token
// there); without it such a call is refused with the audit outcome `no_approver` (fail closed).

import { createGateway } from "@charter/runtime/gateway";
import {
  createGuard,
  createRemoteApprover,
  loadBundle,
  loadCheckpointKey,
  openFileAuditLog,
  type FileAuditLogOptions,
} from "@charter/runtime";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { readText, UsageError } from "../io.js";
import { toolServer } from "../tool-server.js";

interface GatewayOptions {
  bundle: string;
  agent: string;
  source: string;
  audit: string;
  checkpointKey?: string;
  publicKey?: string;
  session?: string;
  env: string[];
  approvals?: string;
}

export function registerGateway(program: Command): void {
  program
    .command("gateway")
    .description("run an MCP gateway in front of a tool server: only granted tools, every call decided by the bundle and audited")
    .requiredOption("--bundle <file>", "the compiled bundle (charter build)")
    .requiredOption("--agent <name>", "the agent of the bundle whose calls pass through")
    .requiredOption("--source <name>", "the bundle source that tool results count as (its threshold applies)")
    .option("--audit <log>", "the hash-chained audit log to append to", "charter-audit.jsonl")
    .option(
      "--checkpoint-key <key>",
      "sign the log's head with this ed25519 private key (charter keygen), as config audit.checkpoint_key does; verify with --checkpoint-pub KEY.pub",
    )
    .option("--public-key <key>", "refuse the bundle unless it is signed by this key (ed25519:… or a KEY.pub file)")
    .option("--session <id>", "session id for rate windows and audit records (default: random)")
    .option(
      "--env <NAME=VALUE>",
      "set a variable in the tool server's environment (repeatable); it inherits the gateway's own",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option(
      "--approvals <url>",
      "ask the approval service of this charter serve (agent token in CHARTER_TOKEN) for calls that need approval",
    )
    .argument("<command...>", "the tool server to start, after --")
    .action(async (command: string[], opts: GatewayOptions) => {
      const publicKey = opts.publicKey && existsSync(opts.publicKey) ? readText(opts.publicKey).trim() : opts.publicKey;
      const loaded = loadBundle(opts.bundle, publicKey ? { publicKey } : {});
      if (!loaded.ok) throw new UsageError(`${opts.bundle}: bundle refused (${loaded.error.kind}): ${loaded.error.message}`);
      if (!Object.hasOwn(loaded.bundle.agents, opts.agent))
        throw new UsageError(`no agent '${opts.agent}' in ${opts.bundle} (agents: ${Object.keys(loaded.bundle.agents).join(", ")})`);
      if (!Object.hasOwn(loaded.bundle.sources, opts.source))
        throw new UsageError(`no source '${opts.source}' in ${opts.bundle} (sources: ${Object.keys(loaded.bundle.sources).join(", ")})`);
      const audit = openFileAuditLog(opts.audit, checkpointSigning(opts.checkpointKey));
      if (!audit.ok) throw new UsageError(`cannot use audit log ${opts.audit}: ${audit.error.message}`);
      let approvals: ReturnType<typeof createRemoteApprover> | undefined;
      if (opts.approvals !== undefined) {
        if (!/^https?:\/\//.test(opts.approvals))
          throw new UsageError(`--approvals takes the base URL of a charter serve (http:// or https://), got '${opts.approvals}'`);
        const token = process.env.CHARTER_TOKEN;
        if (!token) throw new UsageError("--approvals needs the agent's token for that service in the environment variable CHARTER_TOKEN");
        approvals = createRemoteApprover(opts.approvals, token);
      }
      const guard = createGuard(loaded.bundle, { audit: audit.log, ...(approvals ? { approver: approvals } : {}) });
      const gateway = await createGateway({
        guard,
        agent: opts.agent,
        resultSource: opts.source,
        upstream: toolServer(command, parseEnv(opts.env)),
        audit: audit.log,
        ...(opts.session ? { session: opts.session } : {}),
      }).catch((e: Error) => {
        throw new UsageError(`cannot start the gateway in front of '${command.join(" ")}': ${e.message}`);
      });
      const downstream = new StdioServerTransport();
      await gateway.connect(downstream);
      // the agent closing stdin ends the session: close the tool server and flush the log
      await new Promise<void>((resolve) => {
        process.stdin.once("end", resolve);
        process.stdin.once("close", resolve);
      });
      await gateway.close();
      await audit.log.close();
    });
}

/** `--checkpoint-key KEY`: loaded, checked and worded as serve's `audit.checkpoint_key`, named by the flag. */
function checkpointSigning(path: string | undefined): FileAuditLogOptions {
  if (path === undefined) return {};
  const key = loadCheckpointKey(path);
  if (!key.ok) throw new UsageError(`--checkpoint-key: ${key.message}`);
  return { checkpointSigner: key.key };
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.slice(0, eq)))
      throw new UsageError(`--env ${p}: expected NAME=VALUE (NAME of letters, digits and _)`);
    env[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return env;
}
