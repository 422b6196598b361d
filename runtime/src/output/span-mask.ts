// Which character positions of a text are already taken by a finding, so that overlap checks cost the
// span's length instead of the number of findings (outputs can hold thousands of matches).

export class SpanMask {
  private readonly taken: Uint8Array;

  constructor(length: number) {
    this.taken = new Uint8Array(length);
  }

  overlaps(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.taken[i] !== 0) return true;
    return false;
  }

  mark(start: number, end: number): void {
    this.taken.fill(1, start, end);
  }
}
