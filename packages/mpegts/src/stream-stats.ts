/** What a demuxer measured about the transport stream it read (the analyzer's figures). */

/** Counters and timing figures of a transport stream. */
export interface TsStreamStats {
  /** Transport packets read. */
  packets: number;
  /** Times sync was lost, and bytes skipped to regain it. */
  syncLosses: number;
  syncLossBytes: number;
  /** Packets with transport_error_indicator set. */
  transportErrors: number;
  /** continuity_counter gaps (not announced by discontinuity_indicator). */
  continuityErrors: number;
  /** PSI sections with a bad CRC_32. */
  crcErrors: number;
  /** Malformed PSI sections. */
  psiErrors: number;
  /** Malformed or truncated PES packets. */
  pesErrors: number;
  /** Malformed elementary stream data (ADTS, Opus control header, NAL framing). */
  esErrors: number;
  /** PCRs seen on the program's PCR_PID. */
  pcrCount: number;
  /** Largest gap between consecutive PCRs, in ms (gaps across a discontinuity_indicator are not counted). */
  maxPcrGapMs: number;
  /** PCRs flagged with discontinuity_indicator. */
  pcrDiscontinuities: number;
  /** PES whose DTS (PTS when no DTS) was earlier than the last PCR: the PCR ran ahead of the decoder. */
  pcrAheadOfDts: number;
  /** PAT and PMT sections seen. */
  patCount: number;
  pmtCount: number;
  /**
   * Largest gap between consecutive PATs (PMTs), in ms, each table timed by the first PCR
   * that follows it. NaN until two were seen with a PCR after each.
   */
  maxPatGapMs: number;
  maxPmtGapMs: number;
  /** PES packets completed and media packets produced. */
  pesCount: number;
  mediaPackets: number;
}

/** Fresh, zeroed stats. */
export function emptyStreamStats(): TsStreamStats {
  return {
    packets: 0,
    syncLosses: 0,
    syncLossBytes: 0,
    transportErrors: 0,
    continuityErrors: 0,
    crcErrors: 0,
    psiErrors: 0,
    pesErrors: 0,
    esErrors: 0,
    pcrCount: 0,
    maxPcrGapMs: 0,
    pcrDiscontinuities: 0,
    pcrAheadOfDts: 0,
    patCount: 0,
    pmtCount: 0,
    maxPatGapMs: Number.NaN,
    maxPmtGapMs: Number.NaN,
    pesCount: 0,
    mediaPackets: 0,
  };
}
