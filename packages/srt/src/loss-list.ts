/** The receiver's list of missing sequence numbers as sorted `[first, last]` ranges. */
import { seqAdd, seqDiff } from './sequence.js';

export class LossList {
  /** Flattened pairs, oldest first. */
  readonly ranges: number[] = [];

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** First missing sequence number (only when not empty). */
  get first(): number {
    return this.ranges[0] ?? 0;
  }

  /** Adds `[first, last]`, which lies after every range already listed. */
  append(first: number, last: number): void {
    this.ranges.push(first, last);
  }

  /** Removes one sequence number (a retransmission arrived); true when it was listed. */
  remove(seq: number): boolean {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      const a = r[i] ?? 0;
      const b = r[i + 1] ?? 0;
      if (seqDiff(seq, a) < 0) return false;
      if (seqDiff(seq, b) > 0) continue;
      if (a === b) r.splice(i, 2);
      else if (seq === a) r[i] = seqAdd(a, 1);
      else if (seq === b) r[i + 1] = seqAdd(b, -1);
      else r.splice(i, 2, a, seqAdd(seq, -1), seqAdd(seq, 1), b);
      return true;
    }
    return false;
  }

  /** Removes everything before `seq`. */
  removeBefore(seq: number): void {
    const r = this.ranges;
    while (r.length > 0) {
      const a = r[0] ?? 0;
      const b = r[1] ?? 0;
      if (seqDiff(b, seq) < 0) {
        r.splice(0, 2);
      } else {
        if (seqDiff(a, seq) < 0) r[0] = seq;
        return;
      }
    }
  }

  /** Number of sequence numbers listed. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2) n += seqDiff(this.ranges[i + 1] ?? 0, this.ranges[i] ?? 0) + 1;
    return n;
  }
}
