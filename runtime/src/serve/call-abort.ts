// A call's withdrawal: `abort()` wherever the call is withdrawn (the client hung up or cancelled it, its
// session closed, the gateway stops), read where it matters. Nearly every call is never withdrawn and never
// waits for a human, and in Node 20 an AbortController (an EventTarget) costs more to make than most of a
// call's own work, so its AbortSignal is made only when something asks for one (an approver, the SDK
// Client); the direct upstream call listens with a plain callback.

/** What `AbortController.abort()` without a reason gives its signal. */
const abortError = (): unknown => new DOMException("This operation was aborted", "AbortError");

export class CallAbort {
  aborted = false;
  reason: unknown;
  private controller: AbortController | undefined;
  private listeners: (() => void)[] | undefined;

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason === undefined ? abortError() : reason;
    this.controller?.abort(this.reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const f of listeners) f();
  }

  /** An AbortSignal that follows this call (made on first read; already aborted if the call is). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Calls `f` once when the call is withdrawn (not if it already was); returns what unsubscribes it. */
  onAbort(f: () => void): () => void {
    if (this.aborted) return () => undefined;
    (this.listeners ??= []).push(f);
    return () => {
      const i = this.listeners?.indexOf(f) ?? -1;
      if (i >= 0) this.listeners!.splice(i, 1);
    };
  }
}
