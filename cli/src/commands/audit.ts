// `charter audit verify|query|init-postgres` (DEPLOYMENT.md §4). verify checks a log's hash chain (a file,
// or every chain of a postgres:// store): exit 0 with a one-line summary when intact, exit 1 naming the
// first broken record, exit 2 when the log cannot be read. With --checkpoint-pub it also requires the
// signed checkpoints, which is what makes truncation and rewrites detectable. query verifies first, then
// filters; a broken chain is reported on stderr and in the JSON, and exits 1, never hidden.
import {
  checkpointsPath,
  describeAuditVerification,
  filterAuditRecords,
  initPostgresAudit,
  isPostgresUrl,
  loadCheckpointPublicKey,
  parseAuditRecords,
  parseTimeArg,
  readAuditSource,
  redactUrl,
  toolOf,
  verifyAuditLog,
  type AuditChainText,
  type AuditFilter,
  type AuditRecord,
  type AuditVerification,
} from "@charter/runtime";
import type { Command } from "commander";
import { displayPath, UsageError } from "../io.js";

/** What verification without a key cannot see; stderr prints it as a note, the incident report shows it. */
export const NO_KEY_LIMIT =
  "without --checkpoint-pub, truncation (records cut from the end, an emptied file) and a rewrite with a recomputed chain cannot be detected";
export const NO_KEY_NOTE = `note: ${NO_KEY_LIMIT}`;

interface VerifyOptions {
  checkpointPub?: string;
  checkpoints?: string;
}

function publicKeyOf(opts: VerifyOptions): string | undefined {
  if (opts.checkpointPub === undefined) return undefined;
  const k = loadCheckpointPublicKey(opts.checkpointPub);
  if (!k.ok) throw new UsageError(k.message);
  return k.key;
}

/** Reads and verifies every chain of SOURCE; throws UsageError (exit 2) when it cannot be read. */
export async function readVerified(
  source: string,
  opts: VerifyOptions,
): Promise<{ chain: AuditChainText; result: AuditVerification; shown: string }[]> {
  const pub = publicKeyOf(opts);
  const read = await readAuditSource(source, opts.checkpoints ? { sidecar: opts.checkpoints } : {});
  if (!read.ok) throw new UsageError(read.message);
  if (read.chains.length === 0 && !pub) return [];
  const chains = read.chains.length > 0 ? read.chains : [{ name: source, text: "" }];
  const verified = chains.map((chain) => ({
    chain,
    shown: chain.name === source ? displayPath(source) : chain.name,
    result: verifyAuditLog(chain.text, { ...(pub ? { checkpointPub: pub } : {}), ...(chain.sidecar ? { sidecar: chain.sidecar } : {}) }),
  }));
  // a signed file log without its sidecar: only the sidecar shows a cut back to an earlier closing checkpoint
  for (const v of verified)
    if (!isPostgresUrl(source) && !v.chain.sidecar && v.result.ok && (v.result.signed?.checkpoints ?? 0) > 0)
      process.stderr.write(
        `note: no checkpoint sidecar beside ${v.shown} (${displayPath(checkpointsPath(source))}): a log cut back to an earlier closing checkpoint cannot be detected; pass a copy with --checkpoints FILE\n`,
      );
  return verified;
}

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("audit log tools");
  audit
    .command("verify")
    .description("verify an audit log's hash chain and, with --checkpoint-pub, its signed checkpoints (exit 1 at the first break)")
    .argument("<log>", "the audit log (JSONL file) or a postgres:// URL")
    .option("--checkpoint-pub <key>", "the checkpoint signer's public key (KEY.pub or ed25519:…): detects truncation and rewrites too")
    .option("--checkpoints <file>", "the checkpoint sidecar (default LOG.checkpoints when it exists)")
    .action(async (log: string, opts: VerifyOptions) => {
      const results = await readVerified(log, opts);
      if (results.length === 0) process.stdout.write(`${redactUrl(log)}: no records\n`);
      let ok = true;
      for (const { result, shown } of results) {
        const line = describeAuditVerification(result, shown);
        if (result.ok) process.stdout.write(line + "\n");
        else {
          ok = false;
          process.stderr.write(line + "\n");
        }
      }
      if (!opts.checkpointPub) process.stderr.write(NO_KEY_NOTE + "\n");
      // a sidecar given without the key is checked against nothing: say so rather than pass it silently
      if (opts.checkpoints && !opts.checkpointPub)
        process.stderr.write(`note: --checkpoints ${opts.checkpoints} was not read: a sidecar is checked only with --checkpoint-pub\n`);
      process.exitCode = ok ? 0 : 1;
    });

  audit
    .command("query")
    .description('verify the chain, then list the records that match (json: {"records":[…],"count":N})')
    .argument("<log>", "the audit log (JSONL file) or a postgres:// URL")
    .option("--agent <name>", "only this agent's records")
    .option("--tool <name>", "only records about this tool")
    .option(
      "--outcome <outcome>",
      "allow, deny (every refusal, calls refused after approval too), approval, rejected, refused, alerted, … (comma-separated for several)",
    )
    .option("--session <id>", "only this session's records")
    .option("--event <event>", "decision, approval, alert, isolation, ingest_refused, output_filtered, …")
    .option("--since <time>", "records at or after: a duration before now (15m, 1h, 7d) or an ISO time")
    .option("--until <time>", "records at or before: an ISO time or a duration before now")
    .option("--format <format>", "table or json", "table")
    .option("--checkpoint-pub <key>", "also require the signed checkpoints (see audit verify)")
    .option("--checkpoints <file>", "the checkpoint sidecar (default LOG.checkpoints when it exists)")
    .action(async (log: string, opts: QueryOptions) => {
      if (opts.format !== "table" && opts.format !== "json") throw new UsageError(`--format must be table or json, not '${opts.format}'`);
      const filter = filterOf(opts);
      const verified = await readVerified(log, opts);
      const broken = verified.filter((v) => !v.result.ok);
      for (const b of broken) process.stderr.write(`warning: ${describeAuditVerification(b.result, b.shown)}\n`);
      let records: AuditRecord[] = [];
      for (const v of verified) records.push(...parseAuditRecords(v.chain.text));
      for (const w of absentValues(records, filter)) process.stderr.write(`warning: ${w}\n`);
      records = filterAuditRecords(records, filter);
      if (verified.length > 1) records.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      const chain =
        broken.length === 0 ? { ok: true } : { ok: false, errors: broken.map((b) => describeAuditVerification(b.result, b.shown)) };
      if (opts.format === "json") process.stdout.write(JSON.stringify({ records, count: records.length, chain }) + "\n");
      else
        process.stdout.write(
          renderTable(records) +
            `${records.length} record${records.length === 1 ? "" : "s"}${broken.length ? " (CHAIN BROKEN: see above)" : ""}\n`,
        );
      if (!opts.checkpointPub) process.stderr.write(NO_KEY_NOTE + "\n");
      process.exitCode = broken.length ? 1 : 0;
    });

  audit
    .command("init-postgres")
    .description("create the audit table, a writer role that may only INSERT and a reader role that may only SELECT")
    .argument("<url>", "postgres:// URL of a role that may create tables and roles")
    .option("--writer-role <name>", "the gateway's role", "charter_audit_writer")
    .option("--reader-role <name>", "the auditors' role", "charter_audit_reader")
    .option("--retention <days>", "records younger than this many days cannot be deleted, even by the owner", "365")
    .action(async (url: string, opts: { writerRole: string; readerRole: string; retention: string }) => {
      if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError(`expected a postgres:// URL, got '${url}'`);
      const days = Number(opts.retention.replace(/d$/, ""));
      if (!Number.isInteger(days) || days < 1) throw new UsageError(`--retention must be a whole number of days, not '${opts.retention}'`);
      let r: Awaited<ReturnType<typeof initPostgresAudit>>;
      try {
        r = await initPostgresAudit(url, {
          writerRole: opts.writerRole,
          readerRole: opts.readerRole,
          retentionDays: days,
          ...(process.env.CHARTER_AUDIT_WRITER_PASSWORD ? { writerPassword: process.env.CHARTER_AUDIT_WRITER_PASSWORD } : {}),
          ...(process.env.CHARTER_AUDIT_READER_PASSWORD ? { readerPassword: process.env.CHARTER_AUDIT_READER_PASSWORD } : {}),
        });
      } catch (e) {
        throw new UsageError(`cannot initialise ${redactUrl(url)}: ${(e as Error).message}`);
      }
      const role = (name: string, may: string) =>
        `role ${name} (${may}${r.createdRoles.includes(name) ? "" : ", existed: password set again"})`;
      process.stderr.write(
        `${r.createdTable ? "created table charter_audit" : "table charter_audit already existed: kept, with its records"} (UPDATE, TRUNCATE and DELETE within ${r.retentionDays} days refused by trigger), ${role(r.writerRole, "INSERT only")}, ${role(r.readerRole, "SELECT only")}\n` +
          `the URLs below hold the roles' passwords: store them as secrets (audit: { postgres: WRITER_URL } in the serve config)\n`,
      );
      process.stdout.write(JSON.stringify({ writer: r.writerUrl, reader: r.readerUrl }) + "\n");
      process.exitCode = 0;
    });
  audit.exitOverride();
  for (const cmd of audit.commands) cmd.exitOverride();
}

interface QueryOptions extends VerifyOptions {
  agent?: string;
  tool?: string;
  outcome?: string;
  session?: string;
  event?: string;
  since?: string;
  until?: string;
  format: string;
}

export function timeOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTimeArg(value);
  if (!t.ok) throw new UsageError(`--${name}: ${t.message}`);
  return t.ms;
}

function filterOf(opts: QueryOptions): AuditFilter {
  const f: AuditFilter = {};
  if (opts.agent !== undefined) f.agent = opts.agent;
  if (opts.tool !== undefined) f.tool = opts.tool;
  if (opts.session !== undefined) f.session = opts.session;
  if (opts.event !== undefined) f.event = opts.event;
  if (opts.outcome !== undefined)
    f.outcomes = opts.outcome
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean);
  const since = timeOption("since", opts.since);
  const until = timeOption("until", opts.until);
  if (since !== undefined) f.since = since;
  if (until !== undefined) f.until = until;
  return f;
}

/** What the matching accepts besides the outcomes themselves (see matchesOutcome in the runtime). */
const OUTCOME_ALIASES = ["approval", "deny"];

function present(values: Iterable<string | undefined>): string {
  const set = [...new Set([...values].filter((v): v is string => v !== undefined && v !== ""))].sort();
  if (set.length === 0) return "none";
  return set.length > 20 ? `${set.slice(0, 20).join(", ")} and ${set.length - 20} more` : set.join(", ");
}

/**
 * A filter value no record of the log has matches nothing, and `0 records` alone reads like "it did
 * not happen": each such value is named with the values the log does hold (a typo, another name).
 */
export function absentValues(records: readonly AuditRecord[], f: AuditFilter): string[] {
  const out: string[] = [];
  for (const o of f.outcomes ?? []) {
    if (filterAuditRecords(records, { outcomes: [o] }).length > 0) continue;
    out.push(
      `no record in the log has outcome '${o}' (outcomes present: ${present(records.map((r) => r.outcome))}; also accepted: ${OUTCOME_ALIASES.join(", ")})`,
    );
  }
  const fields: [string, string | undefined, (r: AuditRecord) => string | undefined][] = [
    ["agent", f.agent, (r) => r.agent],
    ["tool", f.tool, toolOf],
    ["event", f.event, (r) => r.event],
    ["session", f.session, (r) => r.session],
  ];
  for (const [name, wanted, get] of fields) {
    if (wanted === undefined || records.some((r) => get(r) === wanted)) continue;
    // sessions are ids: listing them all helps nobody
    const holds = name === "session" ? "" : ` (${name}s present: ${present(records.map(get))})`;
    out.push(`no record in the log has ${name} '${wanted}'${holds}`);
  }
  return out;
}

function renderTable(records: readonly AuditRecord[]): string {
  const rows = records.map((r) => [
    String(r.seq),
    r.ts,
    r.agent,
    r.session,
    r.event,
    toolOf(r) ?? "-",
    r.outcome,
    r.trace?.[0] ? `${r.trace[0].rule}: ${r.trace[0].reason}` : "",
  ]);
  const head = ["SEQ", "TIME", "AGENT", "SESSION", "EVENT", "TOOL", "OUTCOME", "WHY"];
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : (c.length > widths[i]! ? c.slice(0, widths[i]! - 1) + "…" : c).padEnd(widths[i]!)))
      .join("  ")
      .trimEnd() + "\n";
  return records.length === 0 ? "" : fmt(head) + rows.map(fmt).join("");
}
