/**
 * @sluice/media: the packet/track model every Sluice package speaks, and the formats
 * around it: codec configuration records (AVC, HEVC, AAC, Opus), Annex B / length-prefixed
 * NAL units, ADTS and MPEG audio framing, FLV tags and files, AMF0; plus the small
 * runtime pieces the protocol packages share (clock, send watchdog, listeners, host
 * resolution).
 */

/** The model: a track (codec, configuration record, dimensions, rates) and a packet (timestamps in the track's timescale). */
export {
  rescaleTimestamp,
  FLV_TIMESCALE,
  TS_TIMESCALE,
  type TrackKind,
  type CodecName,
  type TrackInfo,
  type MediaPacket,
} from './packet.js';
/** Width, height, frame rate, sample rate and channels read from a track's configuration record. */
export { trackFieldsFromConfig, type TrackConfigFields } from './track-config.js';
/** RFC 6381 codec strings (`avc1.64001f`, `hvc1.1.6.L93.B0`, `mp4a.40.2`). */
export { avcCodecString, hevcCodecString, aacCodecString, codecStringOfTrack } from './codec/codec-string.js';
/** Bad codec data: the typed errors every parser throws (never a RangeError from a short buffer). */
export { MalformedCodecData, BitstreamOverrun } from './codec/errors.js';
/** The base of the protocol packages' typed errors: a `code` to switch on, the peer's or the input's words in the message. */
export { CodedError } from './coded-error.js';

/** H.264: the AVCDecoderConfigurationRecord (parse, build, from SPS/PPS) and the SPS. */
export {
  parseAvcDecoderConfig,
  buildAvcDecoderConfig,
  buildAvcConfigFromNalUnits,
  type AvcDecoderConfig,
  type AvcConfigExtension,
} from './codec/avc.js';
export { parseH264Sps, type H264Sps } from './codec/h264-sps.js';
/** H.265: the HEVCDecoderConfigurationRecord (parse, build, from VPS/SPS/PPS) and the SPS. */
export {
  parseHevcDecoderConfig,
  buildHevcDecoderConfig,
  buildHevcConfigFromNalUnits,
  type HevcDecoderConfig,
  type HevcNalArray,
  type HevcConfigFromNalUnitsOptions,
} from './codec/hevc.js';
export { parseH265Sps, type H265Sps, type H265ProfileTierLevel } from './codec/h265-sps.js';
/** NAL unit types of both codecs, the access unit delimiters, IDR / IRAP tests. */
export {
  H264NalUnitType,
  H265NalUnitType,
  H264_AUD_NAL,
  H265_AUD_NAL,
  h264NalUnitType,
  h265NalUnitType,
  isH264IdrType,
  isH265IrapType,
} from './codec/nal-unit-type.js';
/** The one NAL unit walker (Annex B and length-prefixed) and the conversions between the two layouts. */
export {
  forEachNalUnit,
  forEachAnnexBNalUnit,
  annexBNalUnits,
  lengthPrefixedNalUnits,
  annexBToLengthPrefixed,
  lengthPrefixedToAnnexB,
  annexBSizeOf,
  lengthPrefixedSizeOf,
  writeAnnexB,
  writeAnnexBNalUnit,
  writeLengthPrefixed,
  h264AccessUnitHasIdr,
  h265AccessUnitHasIrap,
  type NalLengthSize,
  NalUnitWalker,
} from './codec/annexb.js';

/** AAC: the AudioSpecificConfig (parse, build) and samples per frame. */
export {
  parseAudioSpecificConfig,
  buildAudioSpecificConfig,
  aacSamplesPerFrame,
  type AudioSpecificConfig,
  type AudioSpecificConfigInit,
  type SbrSignalling,
} from './codec/aac.js';
/** ADTS: headers (parse, write, to and from an AudioSpecificConfig) and a splitter for any chunking. */
export {
  parseAdtsHeader,
  writeAdtsHeader,
  isAdtsHeader,
  adtsConfigFromAudioSpecificConfig,
  audioSpecificConfigFromAdts,
  AdtsFrameSplitter,
  AdtsError,
  ADTS_HEADER_SIZE,
  ADTS_MAX_FRAME_LENGTH,
  type AdtsConfig,
  type AdtsHeader,
  type AdtsFrame,
  type AdtsFrameSplitterOptions,
} from './codec/adts.js';
/** MPEG audio (MP3): frame headers and a splitter for any chunking. */
export {
  parseMpegAudioHeader,
  isMpegAudioHeader,
  MpegAudioFrameSplitter,
  MpegAudioError,
  MPEG_AUDIO_HEADER_SIZE,
  MPEG_AUDIO_MAX_FRAME_LENGTH,
  type MpegAudioHeader,
  type MpegAudioFrame,
} from './codec/mp3.js';
/** The frame a splitter hands out (header, bytes, offset). */
export type { SyncFrame } from './codec/sync-frame-splitter.js';
/** Opus: the OpusHead (RFC 7845), the MPEG-TS control header, and the TS channel configuration. */
export {
  parseOpusHead,
  buildOpusHead,
  OPUS_HEAD_MIN_SIZE,
  isOpusControlHeader,
  parseOpusControlHeader,
  writeOpusControlHeader,
  opusControlHeaderSize,
  type OpusHead,
  type OpusControlHeader,
  type OpusControlHeaderOptions,
} from './codec/opus.js';
export { opusHeadFromTsChannelConfig, tsChannelConfigOfOpusHead } from './codec/opus-ts.js';

/** FLV files: the header, a reader of tags for any chunking, a writer. */
export {
  parseFlvHeader,
  buildFlvHeader,
  parseFlvTagHeader,
  writeFlvTagHeader,
  FlvTagType,
  FLV_HEADER_SIZE,
  FLV_TAG_HEADER_SIZE,
  FLV_PREVIOUS_TAG_SIZE_SIZE,
  FLV_MAX_DATA_SIZE,
  type FlvHeader,
  type FlvTagHeader,
} from './flv/header.js';
export { FlvReader, type FlvReaderOptions, type FlvTag } from './flv/reader.js';
export { FlvWriter, type FlvChunkSink } from './flv/writer.js';
/** FLV tags to tracks and packets (legacy and Enhanced RTMP), and packets back to tags. */
export { FlvTagDemuxer, FLV_VIDEO_TRACK_ID, FLV_AUDIO_TRACK_ID, type FlvDemuxEvent } from './flv/tag-demuxer.js';
export { FlvTagMuxer, type FlvTagMuxerOptions, type FlvTagParts } from './flv/tag-muxer.js';
/** FLV tag bodies one by one: video, audio, script data (onMetaData). */
export {
  parseVideoTagBody,
  buildVideoTagHeader,
  buildVideoTagBody,
  FlvVideoCodecId,
  FlvVideoFrameType,
  FlvVideoPacketType,
  type FlvVideoCodec,
  type VideoTagBody,
  type VideoTagHeaderInit,
} from './flv/video-tag.js';
export {
  parseAudioTagBody,
  buildAudioTagHeader,
  buildAudioTagBody,
  flvSoundFlags,
  FlvSoundFormat,
  FlvAudioPacketType,
  FLV_AAC_SOUND_FLAGS,
  type FlvAudioCodec,
  type AudioTagBody,
  type AudioTagHeaderInit,
} from './flv/audio-tag.js';
export { parseScriptTagBody, buildOnMetaDataBody, type ScriptTagBody } from './flv/script-tag.js';
export { FlvParseError } from './flv/errors.js';
/** AMF0 values: encode, decode (bounded depth), objects and ECMA arrays. */
export { encodeAmf0, encodeAmf0Values } from './amf0/encode.js';
export { decodeAmf0, decodeAmf0Values, type Amf0DecodeOptions, type Amf0Decoded } from './amf0/decode.js';
export {
  Amf0EcmaArray,
  createAmf0Object,
  amf0Properties,
  Amf0DecodeError,
  Amf0EncodeError,
  type Amf0Object,
  type Amf0Value,
} from './amf0/types.js';

/** Time for timers, injectable in tests: `systemClock` or a fake. */
export { systemClock, type Clock, type TimerHandle } from './clock.js';
/** The one send-stall watchdog: fires when the kernel accepted no byte for too long. */
export { SendWatchdog, KernelByteCounter, type SendWatchdogOptions, type SocketByteCounts } from './send-watchdog.js';
/** Listener lists whose listeners cannot break the emitter (a throwing listener is reported, the others still run). */
export { ListenerList, SinkListeners, callIsolated, emitIsolated } from './listeners.js';
/** Host resolution for outgoing connections: HostResolver, resolveHostSystem, pinnedLookup (connect only to checked addresses). */
export {
  HostResolutionError,
  pinnedLookup,
  resolveHostSystem,
  type HostResolver,
  type ResolvedAddress,
} from './host-resolver.js';
