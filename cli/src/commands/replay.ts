// `charter replay --bundle B.json TRACE.jsonl [--format text|json] [--source SRC]` and
// `charter replay --bundle B.json --audit LOG` (DEPLOYMENT.md §6): what would this bundle have decided?
// The real runtime decides, one session at a time; no approver is asked and nothing is executed.
// Exit 0 when replayed, 2 on usage or I/O errors and on a trace or log that cannot be read.
import { loadBundle, parseTrace, replayAuditLog, replayJson, replayTrace, type ReplayEvent } from "@charter/runtime";
import type { Command } from "commander";
import { displayPath, readText, UsageError } from "../io.js";

interface ReplayOptions {
  bundle: string;
  format: string;
  source?: string;
  audit?: string;
}

export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("decide a recorded or synthetic trace (or an audit log's calls) with a bundle, without running anything")
    .requiredOption("--bundle <file>", "the compiled bundle (charter build)")
    .option("--format <format>", "text or json", "text")
    .option("--source <name>", "the source that results of tools without `returns` count as")
    .option("--audit <log>", "replay the calls of this audit log and list those whose decision would change")
    .argument("[trace]", "the trace (JSONL): ingest and call lines")
    .action((trace: string | undefined, opts: ReplayOptions) => {
      if (opts.format !== "text" && opts.format !== "json") throw new UsageError(`--format must be text or json, not '${opts.format}'`);
      const loaded = loadBundle(opts.bundle);
      if (!loaded.ok) throw new UsageError(`${opts.bundle}: bundle refused (${loaded.error.kind}): ${loaded.error.message}`);
      const bundle = loaded.bundle;
      if (opts.source !== undefined && !Object.hasOwn(bundle.sources, opts.source)) {
        throw new UsageError(`no source '${opts.source}' in ${opts.bundle} (sources: ${Object.keys(bundle.sources).join(", ") || "none"})`);
      }
      if (opts.audit !== undefined) {
        if (trace !== undefined) throw new UsageError("give either a trace or --audit LOG, not both");
        const parsed = replayAuditLog(bundle, readText(opts.audit));
        if (!parsed.ok) throw new UsageError(`${displayPath(opts.audit)}:${parsed.line}: ${parsed.message}`);
        const r = parsed.replay;
        if (opts.format === "json") {
          process.stdout.write(
            JSON.stringify({
              changes: r.changes.map((c) => ({
                seq: c.seq,
                session: c.session,
                agent: c.agent,
                tool: c.tool,
                before: c.before,
                after: c.after,
                rule: c.rule,
                reason: c.reason,
                args_hashed: c.argsHashed,
              })),
              summary: {
                calls: r.calls,
                changed: r.changes.length,
                hashed_calls: r.hashedCalls,
                history: "ingested text is not in an audit log: rules on what a session read see nothing",
              },
            }) + "\n",
          );
          return;
        }
        for (const c of r.changes) {
          process.stdout.write(
            `#${c.seq} ${c.session} ${c.agent} ${c.tool}: ${c.before} -> ${c.after} (${c.rule}: ${c.reason})${c.argsHashed ? " [arguments were hashed or redacted in the log: replayed as logged]" : ""}\n`,
          );
        }
        process.stdout.write(
          `${r.changes.length} of ${r.calls} call${r.calls === 1 ? "" : "s"} would be decided differently` +
            (r.hashedCalls > 0 ? `; ${r.hashedCalls} replayed with arguments the log holds hashed or redacted` : "") +
            "; ingested text is not in an audit log, so rules on what a session read saw nothing\n",
        );
        return;
      }
      if (trace === undefined) throw new UsageError("give a trace (JSONL) to replay, or --audit LOG");
      const parsed = parseTrace(readText(trace));
      if (!parsed.ok) throw new UsageError(`${displayPath(trace)}:${parsed.line}: ${parsed.message}`);
      const report = replayTrace(bundle, parsed.lines, opts.source !== undefined ? { source: opts.source } : {});
      if (opts.format === "json") {
        process.stdout.write(JSON.stringify(replayJson(report)) + "\n");
        return;
      }
      for (const e of report.events) process.stdout.write(textLine(e) + "\n");
      const s = report.summary;
      process.stdout.write(
        `${s.sessions} session${s.sessions === 1 ? "" : "s"}: ${s.calls.allow} allowed, ${s.calls.approval} need approval, ${s.calls.deny} denied; ` +
          `text ${s.ingested.admitted} admitted, ${s.ingested.redacted} redacted, ${s.ingested.refused} refused\n`,
      );
    });
}

function textLine(e: ReplayEvent): string {
  const what = e.kind === "call" ? `call ${e.tool}` : `ingest ${e.source}`;
  let s = `${e.session}#${e.index} ${what} => ${e.outcome}${e.enforced === false ? ` (mode monitor: would ${e.wouldBe})` : ""}  ${e.rule}: ${e.reason}`;
  if (e.result !== undefined)
    s += `\n  result => ${e.result.outcome}${e.result.source ? ` as ${e.result.source}` : ""}${e.result.outcome === "admitted" ? "" : `: ${e.result.reason}`}`;
  return s;
}
