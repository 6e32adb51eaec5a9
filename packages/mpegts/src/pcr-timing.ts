/** PCR timing figures of a stream (for the analyzer): PCR gaps and PAT/PMT repetition measured on the PCR clock. */
import { PCR_WRAP } from './constants.js';
import type { TsStreamStats } from './stream-stats.js';
import { timestampDelta } from './timestamp.js';

/** Follows the PCRs of the PCR PID and writes the gaps into `stats`. */
export class PcrTiming {
  // PCR fields hold NaN for none (not -1): a number field starting as a small integer
  // would change representation when the PCR passes 2^31 (80 s into a stream) and
  // deoptimize every function reading it
  /** Last PCR (27 MHz), NaN before the first. */
  lastPcr = Number.NaN;
  /** A PAT / PMT was seen since the last PCR. */
  patPending = false;
  pmtPending = false;
  private lastPatPcr = Number.NaN;
  private lastPmtPcr = Number.NaN;

  constructor(private readonly stats: TsStreamStats) {}

  /** A PCR (27 MHz) with its discontinuity_indicator. */
  onPcr(pcr: number, discontinuity: boolean): void {
    const s = this.stats;
    s.pcrCount++;
    if (discontinuity) {
      s.pcrDiscontinuities++;
      this.lastPatPcr = this.lastPmtPcr = Number.NaN;
    } else if (this.lastPcr >= 0) {
      const gap = timestampDelta(this.lastPcr, pcr, PCR_WRAP) / 27000;
      if (gap > s.maxPcrGapMs) s.maxPcrGapMs = gap;
    }
    this.lastPcr = pcr;
    if (this.patPending) {
      this.patPending = false;
      if (this.lastPatPcr >= 0) {
        const gap = timestampDelta(this.lastPatPcr, pcr, PCR_WRAP) / 27000;
        if (!(gap <= s.maxPatGapMs)) s.maxPatGapMs = gap;
      }
      this.lastPatPcr = pcr;
    }
    if (this.pmtPending) {
      this.pmtPending = false;
      if (this.lastPmtPcr >= 0) {
        const gap = timestampDelta(this.lastPmtPcr, pcr, PCR_WRAP) / 27000;
        if (!(gap <= s.maxPmtGapMs)) s.maxPmtGapMs = gap;
      }
      this.lastPmtPcr = pcr;
    }
  }
}
