// `charter incident report --audit SRC --agent A --since T [--until T] [--bundle B.json] [--format md|html|json]`:
// what one agent did in a window — timeline, refusals and why, approvals and by whom, guardrail and
// monitoring events, data volume, external domains, and every high-tier action with its reversal
// playbook (from --bundle, or from the record). The chain is verified first and its state heads the report.
import type { Bundle } from "@charter/language";
import {
  buildIncidentReport,
  describeAuditVerification,
  loadBundle,
  parseAuditRecords,
  renderIncidentHtml,
  redactUrl,
  renderIncidentMarkdown,
} from "@charter/runtime";
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { displayPath, fileError, readText, UsageError } from "../io.js";
import { NO_KEY_LIMIT, NO_KEY_NOTE, readVerified, timeOption } from "./audit.js";
import { compileFile } from "./build.js";

/**
 * The bundle of --bundle: a compiled bundle (JSON, from `charter build`), or a policy source (.charter),
 * compiled here as `charter build` would (same digest), since its tiers and playbooks are what is needed.
 */
function bundleFor(path: string): Bundle {
  if (path.endsWith(".charter")) {
    const compiled = compileFile(path);
    if (!compiled) throw new UsageError(`--bundle ${displayPath(path)}: the policy has errors (above), so it cannot give the tools' tiers`);
    return compiled;
  }
  const text = readText(path);
  if (!text.trimStart().startsWith("{"))
    throw new UsageError(
      `--bundle ${displayPath(path)} is not a compiled bundle (a bundle is JSON): compile the policy with \`charter build POLICY.charter -o bundle.json\`, or pass the .charter file itself`,
    );
  const loaded = loadBundle(text);
  if (!loaded.ok) throw new UsageError(`--bundle ${displayPath(path)}: ${loaded.error.message}`);
  return loaded.bundle;
}

interface IncidentOptions {
  audit: string;
  agent: string;
  since: string;
  until?: string;
  bundle?: string;
  format: string;
  out?: string;
  checkpointPub?: string;
  checkpoints?: string;
}

export function registerIncident(program: Command): void {
  const incident = program.command("incident").description("incident response from the audit log");
  incident
    .command("report")
    .description(
      "an agent's actions in a time window: timeline, refusals, approvals, guardrails, data, domains, high-tier actions and their reversal",
    )
    .requiredOption("--audit <src>", "the audit log (JSONL file) or a postgres:// URL")
    .requiredOption("--agent <name>", "the agent")
    .requiredOption("--since <time>", "start: a duration before now (30m, 2h, 7d) or an ISO time")
    .option("--until <time>", "end (default now)")
    .option("--bundle <file>", "the bundle (JSON from charter build) or its .charter policy: tiers and reversal playbooks of the tools")
    .option("--format <format>", "md, html or json", "md")
    .option("-o, --out <file>", "write the report here instead of standard output")
    .option("--checkpoint-pub <key>", "verify the signed checkpoints too (see audit verify)")
    .option("--checkpoints <file>", "the checkpoint sidecar (default LOG.checkpoints when it exists)")
    .action(async (opts: IncidentOptions) => {
      if (!["md", "html", "json"].includes(opts.format)) throw new UsageError(`--format must be md, html or json, not '${opts.format}'`);
      const since = timeOption("since", opts.since)!;
      const until = timeOption("until", opts.until);
      const bundle = opts.bundle ? bundleFor(opts.bundle) : undefined;
      const verified = await readVerified(opts.audit, opts);
      const report = buildIncidentReport({
        agent: opts.agent,
        since,
        ...(until !== undefined ? { until } : {}),
        source: redactUrl(opts.audit),
        ...(bundle ? { bundle } : {}),
        // as verify says it: without the key, a cut or recomputed log looks intact in the report too
        ...(opts.checkpointPub ? {} : { notes: [NO_KEY_LIMIT] }),
        chains: verified.map((v) => ({
          name: v.shown,
          ok: v.result.ok,
          verification: describeAuditVerification(v.result, v.shown),
          records: parseAuditRecords(v.chain.text),
        })),
      });
      const text =
        opts.format === "json"
          ? JSON.stringify(report, null, 2) + "\n"
          : opts.format === "html"
            ? renderIncidentHtml(report)
            : renderIncidentMarkdown(report);
      if (opts.out) {
        try {
          writeFileSync(opts.out, text);
        } catch (e) {
          throw fileError("write", opts.out, e);
        }
      } else process.stdout.write(text);
      for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
      const broken = verified.filter((v) => !v.result.ok);
      for (const b of broken) process.stderr.write(`warning: ${describeAuditVerification(b.result, b.shown)}\n`);
      if (!opts.checkpointPub) process.stderr.write(NO_KEY_NOTE + "\n");
      process.exitCode = broken.length ? 1 : 0;
    });
  incident.exitOverride();
  for (const cmd of incident.commands) cmd.exitOverride();
}
