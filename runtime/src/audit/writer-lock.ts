// One writer per chain. Two processes appending to one log would both continue from the same head and
// fork the chain, so a file log is opened only under a lock file (LOG.lock) created with O_EXCL, holding
// the owner's pid, host and process start time. A lock left by a process that died (SIGKILL, power loss)
// is stale: same host, and that pid is gone or is another process now (its start time differs). A lock
// from another host is never taken over: the operator must look.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { explainFileError } from "../io-errors.js";

export interface LockOwner {
  pid: number;
  host: string;
  /** Process start time (Linux: /proc/PID/stat field 22), to tell a reused pid from the owner. */
  start: string;
}

export type LockResult = { ok: true; release: () => void } | { ok: false; message: string; owner?: LockOwner; io?: boolean };

function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces and parentheses: count fields after its closing ")"
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = startTimeOf(owner.pid);
  return start === "" || owner.start === "" || start === owner.start;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
    return typeof o.pid === "number" && typeof o.host === "string" ? { pid: o.pid, host: o.host, start: String(o.start ?? "") } : undefined;
  } catch {
    return undefined;
  }
}

export function acquireWriterLock(logPath: string): LockResult {
  const path = logPath + ".lock";
  const me: LockOwner = { pid: process.pid, host: hostname(), start: startTimeOf(process.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EEXIST")
        return { ok: false, io: true, message: `cannot create the writer lock ${path}: ${explainFileError(e, path, "write")}` };
      const owner = readOwner(path);
      if (owner === undefined) {
        // half-written by an owner that died between create and write, or garbage: stale after a moment
        return {
          ok: false,
          message: `${logPath} is locked by ${path}, which names no owner; if no gateway writes this log, delete the lock file`,
        };
      }
      if (owner.host !== me.host) {
        return {
          ok: false,
          owner,
          message: `${logPath} is being written by process ${owner.pid} on host ${owner.host} (lock ${path}); one writer per chain: give each gateway its own log file`,
        };
      }
      if (alive(owner)) {
        const who = owner.pid === process.pid ? "this process already" : `process ${owner.pid}`;
        return {
          ok: false,
          owner,
          message: `${logPath} is already being written by ${who} (lock ${path}); one writer per chain: give each gateway its own log file`,
        };
      }
      try {
        unlinkSync(path); // stale: its owner is gone
      } catch {
        // another opener removed it first; try again
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me) + "\n");
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const owner = readOwner(path);
        if (owner && owner.pid === me.pid && owner.host === me.host) {
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        }
      },
    };
  }
  return { ok: false, message: `cannot take the writer lock ${path}: it keeps reappearing (another writer is starting)` };
}
