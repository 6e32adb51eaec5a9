/**
 * The NAL units of one Annex B access unit (ITU-T H.264 Annex B), found with one scan and
 * kept as offsets in reusable arrays, and their conversion to 4-byte length prefixes
 * (the model's AVCC framing, ISO/IEC 14496-15): copied into another buffer, or in place,
 * over the start codes, when the data is never rewritten afterwards.
 *
 * In place: a 4-byte start code (00 00 00 01) is exactly as long as the length field that
 * replaces it, so NAL units behind 4-byte start codes stay where they are. A 3-byte start
 * code (00 00 01) is one byte short: the output grows towards lower offsets, into bytes
 * that are free (dropped NAL units such as the AUD, the PES header, leading zeros). The
 * output ends where the last NAL unit ends, so the largest unit (the slice, last in the
 * access unit) never moves; only the units in front of it shift by a few bytes.
 */
import { NalUnitWalker } from '@sluice/media';

/** Offsets of the NAL units of one access unit in the buffer scanned. */
export class AnnexBLayout {
  /** NAL units found (or kept, see keep()). */
  count = 0;
  /** Offset of each NAL unit's first byte (after its start code). */
  starts = new Int32Array(16);
  /** Offset just past each NAL unit's last byte (trailing zero bytes excluded). */
  ends = new Int32Array(16);
  private readonly walker = new NalUnitWalker();

  /**
   * Finds the NAL units of `buf[start, end)`; empty ones are skipped. Returns -1, or the
   * offset of a non-zero byte in front of the first start code (then the data is not Annex B).
   */
  scan(buf: Uint8Array, start: number, end: number): number {
    this.count = 0;
    // a view, so that the search stops at `end`
    const data = buf.subarray(start, end);
    const w = this.walker;
    const garbage = w.resetAnnexB(data);
    if (garbage >= 0) return start + garbage;
    while (w.next()) this.add(start + w.start, start + w.end);
    return -1;
  }

  private add(s: number, e: number): void {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.count] = s;
    this.ends[this.count] = e;
    this.count++;
  }

  /** Moves NAL unit `from` to index `to` (≤ from): with count set afterwards, drops the others. */
  keep(from: number, to: number): void {
    this.starts[to] = this.starts[from]!;
    this.ends[to] = this.ends[from]!;
  }

  /** Bytes of the NAL units with 4-byte length prefixes. */
  avccSize(): number {
    let total = 0;
    for (let i = 0; i < this.count; i++) total += 4 + this.ends[i]! - this.starts[i]!;
    return total;
  }

  /** Writes the NAL units of `buf` with 4-byte length prefixes at `dest[offset]` (avccSize() bytes). */
  copyTo(buf: Uint8Array, dest: Uint8Array, offset: number): void {
    let o = offset;
    for (let i = 0; i < this.count; i++) {
      const s = this.starts[i]!;
      const e = this.ends[i]!;
      writeLength(dest, o, e - s);
      dest.set(buf.subarray(s, e), o + 4);
      o += 4 + e - s;
    }
  }

  /**
   * Rewrites the NAL units inside `buf` with 4-byte length prefixes, ending where the last
   * one ends; bytes from `floor` on may be overwritten. Returns where the output starts,
   * or -1 (nothing written) when it would start below `floor`.
   */
  convertInPlace(buf: Uint8Array, floor: number): number {
    const n = this.count;
    if (n === 0) return -1;
    const outStart = this.ends[n - 1]! - this.avccSize();
    if (outStart < floor) return -1;
    // A unit whose body moves left (or stays) may be written once the units before it are;
    // one moving right, once the units after it are. So: forward, except that a run of
    // right-moving units is written last to first. No unit's output overlaps the input of
    // a unit still to be written in that order.
    let i = 0;
    let o = outStart;
    while (i < n) {
      if (o + 4 <= this.starts[i]!) {
        o = this.place(buf, i, o);
        i++;
        continue;
      }
      let j = i;
      let runEnd = o;
      while (j < n && runEnd + 4 > this.starts[j]!) {
        runEnd += 4 + this.ends[j]! - this.starts[j]!;
        j++;
      }
      let q = runEnd;
      for (let k = j - 1; k >= i; k--) {
        q -= 4 + this.ends[k]! - this.starts[k]!;
        this.place(buf, k, q);
      }
      o = runEnd;
      i = j;
    }
    return outStart;
  }

  /** Writes unit `k` at `o` (body first: its length field may cover its old first bytes); returns the end. */
  private place(buf: Uint8Array, k: number, o: number): number {
    const s = this.starts[k]!;
    const e = this.ends[k]!;
    if (o + 4 !== s) buf.copyWithin(o + 4, s, e);
    writeLength(buf, o, e - s);
    return o + 4 + e - s;
  }
}

function writeLength(dest: Uint8Array, o: number, n: number): void {
  dest[o] = n >>> 24;
  dest[o + 1] = (n >>> 16) & 0xff;
  dest[o + 2] = (n >>> 8) & 0xff;
  dest[o + 3] = n & 0xff;
}
