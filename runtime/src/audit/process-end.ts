// What happens to open logs when the process ends. On exit (process.exit, a drained event loop) every
// open log is closed synchronously: pending records written, the closing checkpoint signed, the lock
// released. On SIGTERM and SIGINT pending records are written at once; if nobody else listens for the
// signal the logs are closed and the signal re-raised (the default action), otherwise the application's
// own handler decides (a server still has records to write while it shuts down) and exit closes the logs.
// SIGKILL runs nothing: that is why allowed calls are written before they are forwarded.

export interface EndOfProcess {
  /** Writes everything pending; the log stays open. */
  flushSync(): void;
  /** Writes everything pending, signs the closing checkpoint and releases the file. */
  closeSync(): void;
}

/** Logs close first (their closing checkpoint goes to the sink), then the sinks still open. */
const live = new Set<EndOfProcess>();
const liveSinks = new Set<EndOfProcess>();
let installed = false;

function closeAll(): void {
  for (const l of [...live, ...liveSinks]) {
    try {
      l.closeSync();
    } catch {
      // best effort: the other logs must still be closed
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  for (const l of [...live, ...liveSinks]) {
    try {
      l.flushSync();
    } catch {
      // see closeAll
    }
  }
  if (process.listenerCount(signal) === 1) {
    closeAll();
    process.removeListener(signal, handlers[signal]!);
    process.kill(process.pid, signal);
  }
}

const handlers: Partial<Record<NodeJS.Signals, () => void>> = {
  SIGTERM: () => onSignal("SIGTERM"),
  SIGINT: () => onSignal("SIGINT"),
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", closeAll);
  process.on("SIGTERM", handlers.SIGTERM!);
  process.on("SIGINT", handlers.SIGINT!);
}

/** Registers an open log (or, with `sink`, a sink: closed after the logs); returns the function that unregisters it. */
export function closeAtProcessEnd(log: EndOfProcess, kind: "log" | "sink" = "log"): () => void {
  install();
  const set = kind === "log" ? live : liveSinks;
  set.add(log);
  return () => set.delete(log);
}
