/**
 * @sluice/mpegts: a live-grade MPEG-TS muxer and demuxer with UDP and TCP senders.
 */

/** The muxer: MediaPackets in, whole 188-byte packets out (PSI, PCR, PES, continuity, random access). */
export { TsMuxer, type TsTrackLayout } from './muxer.js';
/** The muxer's options and how its output is handed out (`'owned'` slabs or one `'transient'` buffer). */
export type { TsMuxerOptions } from './muxer-options.js';
export type { TsDataListener, TsOutputMode } from './ts-output.js';
/** Why a track cannot be carried in MPEG-TS (`undefined` when it can). */
export { tsCannotCarry } from './es-format.js';
/** The demuxer: bytes in any chunking in, tracks and MediaPackets out; resyncs, bounded memory, stats. */
export { TsDemuxer, type TsDemuxerOptions } from './demuxer.js';
/** The demuxer's continuity / PCR / PSI counters (`TsDemuxer.stats`). */
export type { TsStreamStats } from './stream-stats.js';
/** Checks a whole capture against the live-stream rules: `analyzeTransportStream(bytes).violations`. */
export { analyzeTransportStream, type TsAnalysis, type TsAnalysisLimits } from './analyzer.js';
/** Shares one muxer's output among receivers joining at any time (from the current GOP). */
export { TsFanOut, type TsFanOutOptions, type TsChunkReceiver } from './fan-out.js';
/** The senders: UDP (unicast or multicast, aligned datagrams) and TCP, with the interface they share. */
export type { TsSender, TsRecoveryCounters } from './sender.js';
export { UdpTsSender, type UdpTsSenderOptions } from './udp-sender.js';
export { TcpTsSender, type TcpTsSenderOptions } from './tcp-sender.js';
/** `udp://` and `tcp://` push URLs: parsed, or checked with the reason they are refused. */
export { parseTsUrl, checkTsUrl, type TsDestination } from './ts-url.js';
/** A muxer feeding a sender, in the shape of @sluice/push's PushSink. */
export { TsPushSink, type TsPushTarget } from './ts-sink.js';
/** A stream's MPEG-TS as datagrams with due times from the stream clock (what a paced push reads). */
export { TsStreamOutput, type TsStreamOutputOptions } from './ts-stream-output.js';
/** One clock for every paced MPEG-TS push (TsPacer) and each push's paced reader of an output (TsOutlet). */
export {
  TsPacer,
  TsOutlet,
  defaultTsPacer,
  DEFAULT_BURST_FACTOR,
  type TsPacing,
  type TsDatagramSender,
} from './ts-pacer.js';
/** Typed errors: the muxer's, the demuxer's (`code`: sync, continuity, crc, ...) and the senders'. */
export { TsMuxError, TsDemuxError, TsSenderError, type TsDemuxErrorCode, type TsSenderErrorCode } from './errors.js';
/** The transport packet size (188 bytes). */
export { TS_PACKET_SIZE } from './constants.js';
