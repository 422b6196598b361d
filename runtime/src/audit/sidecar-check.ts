// What a writer opening a file log learns from its checkpoint sidecar (LOG.checkpoints). The sidecar's
// last checkpoint must be in the log: a log that ends before it, or holds another record there, was cut or
// rewritten, and resuming it would launder that as a crash. A sidecar the writer cannot read, or whose
// last lines are not checkpoints, hides that anchor: it is accepted only as what a crash while copying a
// checkpoint leaves (one torn line, the start of a newer checkpoint the log holds), and that line is then
// fingerprinted in the log. Otherwise the writer refuses, as it refuses a cut log.
import { readFileSync } from "node:fs";
import type { ChainHead } from "./audit-log.js";
import { checkpointLine, checkpointsPath, parseCheckpoints, type DamagedCheckpointLine } from "./checkpoint.js";
import type { AuditCheckpoint } from "./record.js";
import { parseSealedLine } from "./verify.js";
import { explainFileError } from "../io-errors.js";

export type SidecarCheck =
  | { ok: true; damaged: DamagedCheckpointLine[]; endsWithNewline: boolean; missing?: true }
  | { ok: false; kind: "checkpoint_ahead" | "checkpoints_unreadable"; message: string };

const KEEP =
  "keep the log and its sidecar as evidence, run charter audit verify LOG --checkpoint-pub KEY.pub (with a copy of the sidecar kept elsewhere, if there is one), and start a new log";

/** `tail` is the end of the log as read to find its head; records far from the end are not read. */
export function checkSidecar(path: string, head: ChainHead, tail: string): SidecarCheck {
  const sidecarPath = checkpointsPath(path);
  let text: string;
  try {
    text = readFileSync(sidecarPath, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      // a log that holds checkpoints had a sidecar: its removal is recorded, since a cut could hide behind it
      const missing = checkpointsInTail(tail).length > 0 ? { missing: true as const } : {};
      return { ok: true, damaged: [], endsWithNewline: true, ...missing };
    }
    return {
      ok: false,
      kind: "checkpoints_unreadable",
      message: `cannot read its checkpoint sidecar ${sidecarPath}: ${explainFileError(e, sidecarPath)}; without it this writer cannot tell whether records were cut from the log`,
    };
  }
  const sidecar = parseCheckpoints(text, sidecarPath);
  const last = sidecar.checkpoints.at(-1);
  const lastLine = sidecar.lines.at(-1) ?? 0;
  const hint = `; the records removed cannot be recovered from here: ${KEEP}`;
  if (last !== undefined && last.seq > head.seq) {
    return {
      ok: false,
      kind: "checkpoint_ahead",
      message: `${path} ends at seq ${head.seq}, but its signed checkpoint (${sidecarPath}) covers seq ${last.seq}: records were cut from the log${hint}`,
    };
  }
  if (last !== undefined) {
    const record = recordInTail(tail, last.seq);
    if (record && record.hash !== last.hash)
      return {
        ok: false,
        kind: "checkpoint_ahead",
        message: `record ${last.seq} of ${path} differs from the one its signed checkpoint covers: the log was rewritten${hint}`,
      };
  }
  // lines after the last whole checkpoint: the newest anchor may be among them
  const damaged = sidecar.damaged.filter((d) => d.line > lastLine);
  if (damaged.length > 0 && !tornByCrash(damaged, sidecar.endsWithNewline, last?.seq ?? 0, tail)) {
    const d = damaged[0]!;
    return {
      ok: false,
      kind: "checkpoint_ahead",
      message: `${sidecarPath} line ${d.line} is ${d.reason}, after its last whole checkpoint${last ? ` (seq ${last.seq})` : ""}, and is not the start of a newer checkpoint ${path} holds: it may have signed records since cut from the log, so this writer does not resume it; ${KEEP}`,
    };
  }
  return { ok: true, damaged, endsWithNewline: sidecar.endsWithNewline };
}

/**
 * A crash while copying a checkpoint to the sidecar leaves one torn last line, the start of a checkpoint
 * the log holds (the log is written first) and newer than the sidecar's last whole one. Anything else —
 * a line ended after garbage, several bad lines, a fragment of a checkpoint the log no longer holds — is
 * an edit, and could hide a cut.
 */
function tornByCrash(damaged: DamagedCheckpointLine[], endsWithNewline: boolean, lastSeq: number, tail: string): boolean {
  if (damaged.length !== 1 || endsWithNewline) return false;
  const fragment = damaged[0]!.text;
  return checkpointsInTail(tail).some((cp) => cp.seq > lastSeq && checkpointLine(cp).startsWith(fragment));
}
/** The sealed record `seq` when the tail holds it. */
function recordInTail(tail: string, seq: number): { hash: string } | undefined {
  const i = tail.indexOf(`"seq":${seq},`);
  if (i < 0) return undefined;
  const start = tail.lastIndexOf("\n", i) + 1;
  const end = tail.indexOf("\n", i);
  const sealed = parseSealedLine(tail.slice(start, end === -1 ? undefined : end));
  return sealed && sealed.seq === seq ? sealed : undefined;
}

/** The checkpoints of the checkpoint records among the tail's lines. */
function checkpointsInTail(tail: string): AuditCheckpoint[] {
  const found: AuditCheckpoint[] = [];
  for (let i = tail.indexOf('"event":"checkpoint"'); i >= 0; i = tail.indexOf('"event":"checkpoint"', i + 1)) {
    const start = tail.lastIndexOf("\n", i) + 1;
    const end = tail.indexOf("\n", i);
    const sealed = parseSealedLine(tail.slice(start, end === -1 ? undefined : end));
    if (sealed?.record.event === "checkpoint" && sealed.record.checkpoint) found.push(sealed.record.checkpoint as AuditCheckpoint);
  }
  return found;
}
