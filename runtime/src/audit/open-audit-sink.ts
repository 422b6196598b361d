// The one entry point a server uses to open its audit log from configuration (DEPLOYMENT.md §1, §4):
// `audit: { file: PATH, fsync?, checkpoint_key? }` or `audit: { postgres: URL, checkpoint_key?, chain? }`.
// Every error is a value with a message naming the key at fault. Extra sinks (the SOC exporter) are teed
// after the primary store, so they see every record in chain order but can never hold a decision back.
import { existsSync, readFileSync } from "node:fs";
import { AuditLog } from "./audit-log.js";
import { checkpointsPath, loadCheckpointKey, parseCheckpoints, type CheckpointSidecar, type CheckpointSigner } from "./checkpoint.js";
import { openFileAuditLog } from "./open-file-log.js";
import { PostgresAuditSink, recoverUncleanChain } from "./postgres-sink.js";
import { redactUrl } from "../io-errors.js";
import { isPostgresUrl, readPostgresAudit } from "./postgres-schema.js";
import { TeeAuditSink, type AuditSink } from "./sink.js";
import { explainFileError } from "../io-errors.js";

export type AuditConfig =
  | { file: string; fsync?: boolean; checkpoint_key?: string }
  | { postgres: string; checkpoint_key?: string; chain?: string };

export interface OpenAuditOptions {
  /** Sinks that also receive every record (e.g. the SOC exporter); they cannot delay a decision. */
  also?: AuditSink[];
  bundle?: string;
  clock?: () => number;
  /** File logs: seal records on a worker thread (default true; see FileAuditLogOptions.sealOffThread). */
  sealOffThread?: boolean;
}

export type AuditOpen = { ok: true; log: AuditLog; store: string } | { ok: false; message: string };

const FILE_KEYS = new Set(["file", "fsync", "checkpoint_key"]);
const PG_KEYS = new Set(["postgres", "checkpoint_key", "chain"]);

export async function openAuditSink(config: AuditConfig, options: OpenAuditOptions = {}): Promise<AuditOpen> {
  if (typeof config !== "object" || config === null) return { ok: false, message: "audit: expected { file: PATH } or { postgres: URL }" };
  const c = config as Record<string, unknown>;
  const isFile = "file" in c;
  const isPg = "postgres" in c;
  if (isFile === isPg) return { ok: false, message: "audit: name exactly one store, file: PATH or postgres: URL" };
  for (const k of Object.keys(c)) {
    if (!(isFile ? FILE_KEYS : PG_KEYS).has(k))
      return {
        ok: false,
        message: `audit.${k}: unknown key (audit ${isFile ? "file" : "postgres"} takes ${[...(isFile ? FILE_KEYS : PG_KEYS)].join(", ")})`,
      };
  }
  let signer: CheckpointSigner | undefined;
  if (c.checkpoint_key !== undefined) {
    if (typeof c.checkpoint_key !== "string")
      return { ok: false, message: "audit.checkpoint_key: expected the path of an ed25519 private key (charter keygen)" };
    const loaded = loadCheckpointKey(c.checkpoint_key);
    if (!loaded.ok) return { ok: false, message: `audit.checkpoint_key: ${loaded.message}` };
    signer = loaded.key;
  }
  const also = options.also ?? [];
  if (isFile) {
    if (typeof c.file !== "string" || c.file === "") return { ok: false, message: "audit.file: expected a path" };
    if (c.fsync !== undefined && typeof c.fsync !== "boolean") return { ok: false, message: "audit.fsync: expected true or false" };
    const opened = openFileAuditLog(c.file, {
      fsync: c.fsync === true,
      // a gateway decides for many agents at once: each record's hash and write(2) go to a worker
      sealOffThread: options.sealOffThread ?? true,
      ...(signer ? { checkpointSigner: signer } : {}),
      ...(options.bundle ? { bundle: options.bundle } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(also.length ? { also } : {}),
    });
    if (!opened.ok) return { ok: false, message: `audit.file: ${opened.error.message}` };
    return { ok: true, log: opened.log, store: c.file };
  }
  if (typeof c.postgres !== "string" || !isPostgresUrl(c.postgres))
    return { ok: false, message: "audit.postgres: expected a postgres:// URL" };
  if (c.chain !== undefined && typeof c.chain !== "string") return { ok: false, message: "audit.chain: expected a name" };
  const opened = await PostgresAuditSink.open(c.postgres, c.chain ? { chain: c.chain } : {});
  if (!opened.ok) return { ok: false, message: `audit.postgres: ${opened.message}` };
  const sink: AuditSink = also.length === 0 ? opened.sink : new TeeAuditSink([opened.sink, ...also]);
  // a named chain continues where its previous writer stopped
  const log = new AuditLog(sink, {
    resume: opened.sink.head,
    ...(signer ? { checkpoints: { signer } } : {}),
    ...(options.bundle ? { bundle: options.bundle } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  recoverUncleanChain(log, opened.sink.head, signer !== undefined);
  return { ok: true, log, store: `${redactUrl(c.postgres)} (chain ${opened.sink.chain})` };
}

/** One chain to verify or query: a file's text and its sidecar, or one writer's chain in PostgreSQL. */
export interface AuditChainText {
  name: string;
  text: string;
  /** Its checkpoints and the lines that are none: verify decides what the damaged ones mean. */
  sidecar?: CheckpointSidecar;
}

export type AuditRead = { ok: true; chains: AuditChainText[] } | { ok: false; message: string };

/** Reads a log file (with LOG.checkpoints when present) or every chain of a postgres:// store. */
export async function readAuditSource(source: string, options: { sidecar?: string } = {}): Promise<AuditRead> {
  if (isPostgresUrl(source)) {
    try {
      const chains = await readPostgresAudit(source);
      return { ok: true, chains: chains.map((c) => ({ name: `${redactUrl(source)} chain ${c.chain}`, text: c.text })) };
    } catch (e) {
      const message = (e as Error).message;
      // a database nobody initialised (or the wrong one): the table is what init-postgres creates
      const hint = /relation .* does not exist/.test(message)
        ? `; create the store with charter audit init-postgres ADMIN_URL (or check the database named in the URL)`
        : "";
      return { ok: false, message: `cannot read the PostgreSQL audit store ${redactUrl(source)}: ${message}${hint}` };
    }
  }
  let text: string;
  try {
    text = readFileSync(source, "utf8");
  } catch (e) {
    return { ok: false, message: `cannot read ${source}: ${explainFileError(e, source)}` };
  }
  const sidecarPath = options.sidecar ?? checkpointsPath(source);
  let sidecar: CheckpointSidecar | undefined;
  if (options.sidecar !== undefined || existsSync(sidecarPath)) {
    try {
      sidecar = parseCheckpoints(readFileSync(sidecarPath, "utf8"), sidecarPath);
    } catch (e) {
      return { ok: false, message: `cannot read checkpoints ${sidecarPath}: ${explainFileError(e, sidecarPath)}` };
    }
  }
  return { ok: true, chains: [{ name: source, text, ...(sidecar ? { sidecar } : {}) }] };
}
