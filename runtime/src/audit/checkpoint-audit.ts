// With a checkpoint key, verify follows the chain's records through this audit: every checkpoint record
// must carry a valid signature over the record before it, the log must end with a closing one, and the
// sidecar's checkpoints must match the records they sign. A sidecar line that is no checkpoint is
// accepted only when a `recovered` record fingerprints it (a crash while copying a checkpoint).
import { damagedLineFingerprint, verifyCheckpoint, type CheckpointSidecar } from "./checkpoint.js";
import type { AuditCheckpoint } from "./record.js";
import type { AuditCrash, LineBreak, SidecarRepair } from "./verify.js";

/** Follows the records of a chain that verified so far and checks the checkpoints among them. */
export class CheckpointAudit {
  checkpoints = 0;
  private unsigned = 0;
  private lastFinal = false;
  private lastCheckpointSeq = 0;
  readonly crashes: AuditCrash[] = [];
  readonly sidecarRepairs: SidecarRepair[] = [];
  readonly sidecarMissing: number[] = [];
  private readonly sidecarBySeq = new Map<number, { cp: AuditCheckpoint; line: number }>();
  /** `line:length:hash` of each sidecar line a `recovered` record fingerprints → that record's line. */
  private readonly fingerprinted = new Map<string, number>();
  private readonly sidecar: CheckpointSidecar;
  get sidecarCheckpoints(): number {
    return this.sidecar.checkpoints.length;
  }
  failure: (LineBreak & { line: number }) | undefined;

  constructor(
    private readonly pub: string,
    sidecar: AuditCheckpoint[] | CheckpointSidecar | undefined,
    /** Whether a sidecar was given at all (an empty one must then be explained). */
    private readonly given: boolean,
  ) {
    this.sidecar = Array.isArray(sidecar) || sidecar === undefined ? bareSidecar(sidecar ?? []) : sidecar;
    const { checkpoints, lines } = this.sidecar;
    for (let i = 0; i < checkpoints.length; i++) this.sidecarBySeq.set(checkpoints[i]!.seq, { cp: checkpoints[i]!, line: lines[i]! });
  }

  see(record: Record<string, unknown>, seq: number, hash: string, line: number): void {
    if (this.failure) return;
    const side = this.sidecarBySeq.get(seq);
    if (side && side.cp.hash !== hash) {
      this.failure = {
        ok: false,
        line,
        seq,
        kind: "checkpoint_mismatch",
        reason: `record ${seq} is not the one the signed checkpoint at line ${side.line} of ${this.sidecar.name} covers: the log was rewritten from here or earlier, or cut and resumed by a restarted writer (a laundered crash recovery)`,
      };
      return;
    }
    if (record.event === "checkpoint") {
      const cp = record.checkpoint as AuditCheckpoint | undefined;
      if (!cp || typeof cp !== "object" || cp.seq !== seq - 1 || cp.hash !== record.prev || !verifyCheckpoint(cp, this.pub)) {
        this.failure = {
          ok: false,
          line,
          seq,
          kind: "checkpoint_signature",
          reason:
            "the checkpoint's signature does not verify with the given key: the log was rewritten with a recomputed chain (or signed by another key)",
        };
        return;
      }
      this.checkpoints++;
      this.unsigned = 0;
      this.lastFinal = cp.final;
      this.lastCheckpointSeq = seq;
      return;
    }
    if (record.event === "recovered") {
      const damaged = (record.detail as { checkpointsDamaged?: unknown } | undefined)?.checkpointsDamaged;
      if ((record.trace as TraceStepLike[] | undefined)?.some((t) => t?.rule === "audit.checkpoints_missing"))
        this.sidecarMissing.push(line);
      if (Array.isArray(damaged))
        for (const d of damaged as { line?: unknown; length?: unknown; hash?: unknown }[]) this.fingerprinted.set(fingerprintKey(d), line);
      if (this.unsigned > 0 || (!this.lastFinal && seq > 1)) this.crashes.push({ line, unsigned: this.unsigned });
      this.unsigned = 1;
    } else this.unsigned++;
    this.lastFinal = false;
  }

  /**
   * A sidecar line that is no checkpoint could have been one that signs records now gone: it is accepted
   * only when a writer fingerprinted exactly that line (a crash while copying a checkpoint the log holds).
   * An empty sidecar beside a log that holds checkpoints vouches for nothing: it was emptied or is another's.
   */
  private sidecarDamage(line: number): (LineBreak & { line: number }) | undefined {
    const { name, damaged, checkpoints } = this.sidecar;
    for (const d of damaged) {
      const at = this.fingerprinted.get(fingerprintKey(damagedLineFingerprint(d)));
      if (at !== undefined) {
        this.sidecarRepairs.push({ line: d.line, recoveredAt: at });
        continue;
      }
      return {
        ok: false,
        line,
        kind: "sidecar_damaged",
        reason: `${name} line ${d.line} is ${d.reason}, and no writer fingerprinted it after a crash: the sidecar was edited or cut, so it cannot vouch for the log's end (a cut log would pass); verify with an intact copy of the sidecar (one kept off the host), or copy it again if it was copied while being written`,
      };
    }
    if (this.given && checkpoints.length === 0 && damaged.length === 0 && this.checkpoints > 0) {
      return {
        ok: false,
        line,
        kind: "sidecar_damaged",
        reason: `${name} holds no checkpoint, but the log holds ${this.checkpoints} signed ones: the sidecar was emptied, or it is not this log's; verify with the sidecar its writer wrote, or an intact copy`,
      };
    }
    return undefined;
  }

  finish(records: number, line: number): (LineBreak & { line: number }) | undefined {
    if (this.failure) return this.failure;
    const { name, checkpoints, lines } = this.sidecar;
    for (let i = 0; i < checkpoints.length; i++) {
      const cp = checkpoints[i]!;
      if (!verifyCheckpoint(cp, this.pub)) {
        return {
          ok: false,
          line,
          kind: "checkpoint_signature",
          reason: `the checkpoint at line ${lines[i]} of ${name} does not verify with the given key: it was forged or edited`,
        };
      }
      if (cp.seq > records) {
        return {
          ok: false,
          line,
          kind: "truncated",
          reason: `the log ends at seq ${records} but the checkpoint at line ${lines[i]} of ${name} signs seq ${cp.seq}: records were cut from the log${records === 0 ? " (it is empty)" : ""}`,
        };
      }
    }
    const damage = this.sidecarDamage(line);
    if (damage) return damage;
    if (this.checkpoints === 0) {
      return {
        ok: false,
        line,
        kind: "no_checkpoint",
        reason:
          records === 0
            ? "the log is empty: a log written with a checkpoint key holds at least its closing checkpoint, so it was emptied"
            : "no signed checkpoint in the log: its writer was killed (SIGKILL, power loss) before signing its first checkpoint and has not been restarted, or the log was emptied and refilled, cut before its first checkpoint, or rewritten without the key",
      };
    }
    if (!this.lastFinal) {
      return {
        ok: false,
        line,
        kind: "unsigned_tail",
        reason: `the log does not end with its closing checkpoint: the last signature covers seq ${this.lastCheckpointSeq - 1}, and ${this.unsigned} record(s) after it are signed by nothing — records were cut from the end, or the writer was killed and has not been restarted`,
      };
    }
    return undefined;
  }
}

type TraceStepLike = { rule?: unknown } | null;

/** A fingerprint (as the writer recorded it, so possibly malformed) as a map key. */
const fingerprintKey = (d: { line?: unknown; length?: unknown; hash?: unknown } | null) => `${d?.line}:${d?.length}:${d?.hash}`;

function bareSidecar(checkpoints: AuditCheckpoint[]): CheckpointSidecar {
  return { name: "the sidecar", checkpoints, lines: checkpoints.map((_, i) => i + 1), damaged: [], endsWithNewline: true };
}
