/**
 * SRT's 31-bit packet sequence numbers and 32-bit microsecond timestamps, both with wrap.
 * Sequence numbers compare within half the space (2^30) as libsrt's CSeqNo does.
 */

/** Largest packet sequence number (2^31 - 1). */
export const SEQ_MAX = 0x7fffffff;
const SEQ_SPACE = 0x80000000;
const SEQ_HALF = 0x40000000;

/** `seq + n` modulo 2^31 (n may be negative). */
export function seqAdd(seq: number, n: number): number {
  return (((seq + n) % SEQ_SPACE) + SEQ_SPACE) % SEQ_SPACE;
}

/** Signed distance `a - b` (how far `a` is after `b`), in [-2^30, 2^30). */
export function seqDiff(a: number, b: number): number {
  let d = (a - b) % SEQ_SPACE;
  if (d >= SEQ_HALF) d -= SEQ_SPACE;
  else if (d < -SEQ_HALF) d += SEQ_SPACE;
  return d;
}

/** True when `a` comes before `b`. */
export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

/** Largest message number (26 bits with the retransmission flag in use). */
export const MSGNO_MAX = 0x03ffffff;

/** Next message number after `n` (1..MSGNO_MAX, 0 is never used). */
export function msgNoNext(n: number): number {
  return n >= MSGNO_MAX ? 1 : n + 1;
}

const TS_SPACE = 0x1_0000_0000;

/**
 * Turns the 32-bit microsecond timestamps of one peer into a monotonic 64-bit (number) time:
 * a timestamp far below the previous one is a wrap (every 71.6 minutes), one slightly below is
 * reordering or a retransmission and stays in the current period.
 */
export class TimestampUnwrapper {
  private base = 0;
  private last = -1;

  /** The unwrapped value of `ts` (0..2^32-1). */
  unwrap(ts: number): number {
    if (this.last < 0) {
      this.last = ts;
      return ts;
    }
    const d = ts - this.last;
    if (d < -TS_SPACE / 2) {
      // wrapped forward
      this.base += TS_SPACE;
      this.last = ts;
      return this.base + ts;
    }
    if (d > TS_SPACE / 2) {
      // a late packet from before the last wrap
      return this.base - TS_SPACE + ts;
    }
    if (d > 0) this.last = ts;
    return this.base + ts;
  }
}

/** 32-bit timestamp of a microsecond time (wraps). */
export function timestamp32(us: number): number {
  return ((us % TS_SPACE) + TS_SPACE) % TS_SPACE;
}
