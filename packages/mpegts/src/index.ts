/**
 * @sluice/mpegts: a live-grade MPEG-TS muxer and demuxer with UDP and TCP senders.
 */
export * from './constants.js';
export * from './errors.js';
export * from './crc32.js';
export * from './timestamp.js';
export { TsOutput, DEFAULT_SLAB_SIZE, type TsDataListener, type TsOutputMode } from './ts-output.js';
export type { TsMuxerOptions } from './muxer-options.js';
export { TsMuxer, type TsTrackLayout } from './muxer.js';
export { tsCannotCarry } from './es-format.js';
export { TsDemuxer, type TsDemuxerOptions } from './demuxer.js';
export {
  TsPacketReader,
  type TsPacketListener,
  type TsPacketRunListener,
  type TsSyncLossListener,
} from './ts-packet-reader.js';
export { emptyStreamStats, type TsStreamStats } from './stream-stats.js';
export { parsePat, parsePmt, type PatEntry, type PmtEntry, type ParsedPmt } from './psi-reader.js';
export { writePesHeader, parsePesHeader, type ParsedPesHeader } from './pes-header.js';
export type { TsSender, TsRecoveryCounters } from './sender.js';
export { UdpTsSender, type UdpTsSenderOptions } from './udp-sender.js';
export { TcpTsSender, type TcpTsSenderOptions } from './tcp-sender.js';
export { parseTsUrl, checkTsUrl, isMulticastAddress, DEFAULT_UDP_PACKET_SIZE, type TsDestination } from './ts-url.js';
export { TsPushSink, createTsSender, type TsPushTarget } from './ts-sink.js';
export { TsFanOut, type TsFanOutOptions, type TsChunkReceiver } from './fan-out.js';
export { analyzeTransportStream, type TsAnalysis, type TsAnalysisLimits } from './analyzer.js';
