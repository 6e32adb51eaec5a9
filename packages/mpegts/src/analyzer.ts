/**
 * A transport stream analyzer built on TsDemuxer: continuity errors, PCR gaps, PAT/PMT
 * repetition, PCR-vs-DTS order and demux errors of a whole byte string, with the
 * live-delivery limits Sluice's muxer keeps (PCR ≤ 40 ms, PAT/PMT ≤ 100 ms).
 */
import type { TrackInfo } from '@sluice/media';
import { TsDemuxer } from './demuxer.js';
import type { TsDemuxError } from './errors.js';
import type { TsStreamStats } from './stream-stats.js';

/** Limits a stream is checked against. */
export interface TsAnalysisLimits {
  /** Largest PCR gap accepted, ms. Default 40. */
  maxPcrGapMs?: number;
  /** Largest PAT (and PMT) repetition gap accepted, ms. Default 100. */
  maxPsiGapMs?: number;
}

/** What the analyzer found. */
export interface TsAnalysis {
  stats: TsStreamStats;
  tracks: readonly TrackInfo[];
  /** Every problem the demuxer reported (typed). */
  errors: TsDemuxError[];
  /** Human-readable violations of the limits and of stream integrity; empty when the stream is clean. */
  violations: string[];
}

/** Demuxes `bytes` (in `chunkSize` pieces, default 64 KiB) and checks it against the limits. */
export function analyzeTransportStream(
  bytes: Uint8Array,
  limits: TsAnalysisLimits = {},
  chunkSize = 65536,
): TsAnalysis {
  const maxPcr = limits.maxPcrGapMs ?? 40;
  const maxPsi = limits.maxPsiGapMs ?? 100;
  const errors: TsDemuxError[] = [];
  let tracks: readonly TrackInfo[] = [];
  const demuxer = new TsDemuxer({
    onTracks: (t) => (tracks = t),
    onPacket: () => undefined,
    onError: (e) => errors.push(e),
  });
  for (let o = 0; o < bytes.length; o += chunkSize) demuxer.push(bytes.subarray(o, o + chunkSize));
  demuxer.end();
  const s = demuxer.stats;
  const violations: string[] = [];
  if (s.continuityErrors > 0) violations.push(`${s.continuityErrors} continuity errors`);
  if (s.syncLosses > 0) violations.push(`sync lost ${s.syncLosses} times (${s.syncLossBytes} bytes skipped)`);
  if (s.crcErrors > 0) violations.push(`${s.crcErrors} PSI CRC errors`);
  if (s.transportErrors > 0) violations.push(`${s.transportErrors} packets with transport_error_indicator`);
  if (s.pesErrors + s.esErrors + s.psiErrors > 0)
    violations.push(`${s.pesErrors} PES, ${s.esErrors} elementary stream and ${s.psiErrors} PSI errors`);
  if (s.pcrCount === 0) violations.push('no PCR');
  else if (s.maxPcrGapMs > maxPcr) violations.push(`PCR gap ${s.maxPcrGapMs.toFixed(1)} ms > ${maxPcr} ms`);
  if (s.pcrAheadOfDts > 0) violations.push(`PCR ahead of DTS on ${s.pcrAheadOfDts} PES`);
  if (!(s.maxPatGapMs <= maxPsi))
    violations.push(
      `PAT gap ${Number.isNaN(s.maxPatGapMs) ? 'unmeasured' : `${s.maxPatGapMs.toFixed(1)} ms`} > ${maxPsi} ms`,
    );
  if (!(s.maxPmtGapMs <= maxPsi))
    violations.push(
      `PMT gap ${Number.isNaN(s.maxPmtGapMs) ? 'unmeasured' : `${s.maxPmtGapMs.toFixed(1)} ms`} > ${maxPsi} ms`,
    );
  return { stats: s, tracks, errors, violations };
}
