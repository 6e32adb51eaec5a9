export * from './packet.js';
export * from './amf0/index.js';
export * from './codec/errors.js';
export * from './codec/bit-reader.js';
export * from './codec/nal-unit-type.js';
export * from './codec/annexb.js';
export * from './codec/aac-sampling.js';
export * from './codec/adts.js';
export * from './codec/opus.js';
export * from './flv/index.js';
export * from './codec/bit-writer.js';
export * from './codec/aac.js';
export * from './codec/h264-sps.js';
export * from './codec/avc.js';
export * from './codec/h265-sps.js';
export * from './codec/hevc.js';
export * from './track-config.js';
export * from './codec/sync-frame-splitter.js';
export * from './codec/mp3.js';
export * from './codec/codec-string.js';
export * from './codec/opus-ts.js';
export * from './clock.js';
export * from './send-watchdog.js';
export * from './listeners.js';
/** Host resolution for outgoing connections: HostResolver, resolveHostSystem, pinnedLookup (connect only to checked addresses). */
export {
  HostResolutionError,
  pinnedLookup,
  resolveHostSystem,
  type HostResolver,
  type ResolvedAddress,
} from './host-resolver.js';
