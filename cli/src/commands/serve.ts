// `charter serve --config FILE`: the MCP gateway over Streamable HTTP for many agents (DEPLOYMENT.md §1).
// Config problems are reported with file, line and key before anything starts. SIGHUP reloads the
// bundle; SIGTERM and SIGINT shut down gracefully (stop accepting, withdraw pending approvals, flush
// the audit log) and exit 0.

import { checkServeFiles, describeConfigProblems, parseServeConfig, ServeStartError, startServe } from "@charter/runtime/serve";
import type { Command } from "commander";
import { readText, UsageError } from "../io.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the MCP gateway over Streamable HTTP for the agents, upstream tool servers and approvers of a config file")
    .requiredOption("--config <file>", "the gateway's YAML (or JSON) configuration")
    .option("--check", "check the config and exit")
    .action(async (opts: { config: string; check?: boolean }) => {
      const parsed = parseServeConfig(readText(opts.config), opts.config);
      if (!parsed.ok) throw new UsageError(`invalid config\n${describeConfigProblems(opts.config, parsed.problems)}`);
      // the files and folders it names, before anything starts (--check stops here: nothing listens or connects)
      const unusable = checkServeFiles(parsed.config);
      if (unusable.length > 0) throw new UsageError(`invalid config\n${describeConfigProblems(opts.config, unusable)}`);
      if (opts.check) {
        const soc = parsed.config.soc
          ? `, SOC export to ${[parsed.config.soc.webhook && "a webhook", parsed.config.soc.syslog && "syslog"].filter(Boolean).join(" and ")}`
          : "";
        process.stdout.write(
          `${opts.config}: ok (${parsed.config.agents.size} agent(s), ${parsed.config.upstreams.size} upstream(s)${soc})\n`,
        );
        return;
      }
      const handle = await startServe({ config: parsed.config }).catch((e: Error) => {
        if (!(e instanceof ServeStartError)) throw e;
        // exit now: a half-opened store (a database connection refused mid-handshake) must not keep the process alive
        process.stderr.write(`charter: ${e.message}\n`);
        process.exit(2);
      });
      process.stderr.write(`charter serve: listening on ${handle.url}/mcp (bundle ${handle.digest()})\n`);
      process.on("SIGHUP", () => {
        void handle.reload();
      });
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          process.stderr.write(`charter serve: ${signal}: shutting down\n`);
          handle.close().then(resolve, (e: Error) => {
            process.stderr.write(`charter serve: shutdown: ${e.message}\n`);
            process.exitCode = 2;
            resolve();
          });
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
      });
      process.stderr.write("charter serve: stopped\n");
      // stdio children and timers are gone; exit at once rather than wait on stray handles
      process.exit(process.exitCode ?? 0);
    });
}
