// The hash chain. AuditLog numbers, timestamps and seals each entry and hands it to its sink in order;
// it holds the chain head (last seq and hash) and nothing else, so a write costs one serialisation and
// one SHA-256. A log resumed from a file continues that file's chain.
import type { AuditSink, AuditSinkFailure } from "./sink.js";
import { GENESIS_HASH, LineEncoder, serializeWithPrev } from "./record.js";
import { quoteJson } from "./canonical-json.js";
import type { AuditEntry, AuditRecord } from "./record.js";

export interface ChainHead {
  /** seq of the last record written; 0 before the first. */
  seq: number;
  /** hash of the last record written; GENESIS_HASH before the first. */
  hash: string;
}

export interface AuditLogOptions {
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** Continue an existing chain instead of starting at genesis. */
  resume?: ChainHead;
}

export class AuditLog {
  private seq: number;
  private prev: string;
  /** `prev` as JSON: quoted once per record here, not scanned again by the serializer. */
  private prevJson: string;
  private readonly clock: () => number;
  private lastMs = Number.NaN;
  private lastTs = "";
  private readonly encoder = new LineEncoder();

  constructor(
    readonly sink: AuditSink,
    options: AuditLogOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.seq = options.resume?.seq ?? 0;
    this.prev = options.resume?.hash ?? GENESIS_HASH;
    this.prevJson = quoteJson(this.prev);
  }

  get head(): ChainHead {
    return { seq: this.seq, hash: this.prev };
  }

  /** Set when the sink is losing records; callers on the decision path must then deny. */
  get failure(): AuditSinkFailure | undefined {
    return this.sink.failure;
  }

  /** Seals the entry as the next record of the chain and appends it to the sink. */
  write(entry: AuditEntry): AuditRecord {
    const ms = this.clock();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastTs = new Date(ms).toISOString();
    }
    // One fixed shape for every record (no spread): object spread here cost more than the SHA-256.
    const record: AuditRecord = {
      seq: this.seq + 1,
      ts: this.lastTs,
      agent: entry.agent,
      session: entry.session,
      event: entry.event,
      inputHash: entry.inputHash,
      trace: entry.trace,
      action: entry.action,
      outcome: entry.outcome,
      outputHash: entry.outputHash,
      guardrail: entry.guardrail,
      approver: entry.approver,
      enforced: entry.enforced,
      torn: entry.torn,
      prev: this.prev,
      hash: "",
    };
    const hash = this.encoder.sealLine(serializeWithPrev(record, this.prevJson));
    record.hash = hash;
    this.sink.append(record, this.encoder.line);
    this.seq = record.seq;
    this.prev = hash;
    this.prevJson = '"' + hash + '"'; // "sha256:" and hex digits: nothing to escape
    return record;
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
