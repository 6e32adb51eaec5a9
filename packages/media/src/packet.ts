/**
 * The packet and track model shared by every Sluice package: demuxers and ingest
 * sessions produce it, muxers and push sinks consume it.
 */

/** What a track carries. */
export type TrackKind = 'video' | 'audio' | 'data';

/** Codecs Sluice knows by name. */
export type CodecName = 'h264' | 'h265' | 'av1' | 'vp9' | 'aac' | 'mp3' | 'opus' | 'id3';

/** Timescale of FLV and RTMP timestamps (milliseconds). */
export const FLV_TIMESCALE = 1000;
/** Timescale of MPEG-TS PTS/DTS (90 kHz). */
export const TS_TIMESCALE = 90_000;

/** A track of a stream: what it is and how to decode it. */
export interface TrackInfo {
  /** Stable id of the track inside its stream. */
  id: number;
  kind: TrackKind;
  codec: CodecName;
  /** Ticks per second of this track's packet timestamps. */
  timescale: number;
  /**
   * Codec configuration: AVCDecoderConfigurationRecord (h264),
   * HEVCDecoderConfigurationRecord (h265), AV1CodecConfigurationRecord (av1),
   * AudioSpecificConfig (aac), OpusHead (opus). Absent for codecs without one (mp3).
   */
  config?: Uint8Array | undefined;
  /** Variant name used for track selection by name. */
  name?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  frameRate?: number | undefined;
  /** Bits per second, when known. */
  bitrate?: number | undefined;
  sampleRate?: number | undefined;
  channels?: number | undefined;
}

/**
 * One access unit of one track.
 *
 * Payload formats: h264/h265 are length-prefixed NAL units with 4-byte lengths
 * (AVCC/HVCC, as in FLV and MP4); aac is a raw frame (no ADTS header); opus is one
 * raw Opus packet; mp3 is one MPEG audio frame; id3 is a whole ID3v2 tag.
 */
export interface MediaPacket {
  trackId: number;
  /** Decode timestamp in the track's timescale; integer, may exceed 2^32. */
  dts: number;
  /** Presentation timestamp in the track's timescale; integer, pts >= dts for video. */
  pts: number;
  /** True for a random access point (IDR/IRAP frame; every audio frame). */
  key: boolean;
  /** The payload: a view into the source buffer, never a copy. */
  data: Uint8Array;
}

/**
 * Converts an integer timestamp between timescales. Exact when `to` is a multiple of
 * `from` (1 kHz → 90 kHz); otherwise rounds to the nearest tick. Safe for values far
 * past 2^32 (streams that run for days) as long as `value * to` stays below 2^53.
 */
export function rescaleTimestamp(value: number, from: number, to: number): number {
  if (!Number.isInteger(from) || from <= 0)
    throw new RangeError(`from timescale must be a positive integer, got ${from}`);
  if (!Number.isInteger(to) || to <= 0) throw new RangeError(`to timescale must be a positive integer, got ${to}`);
  if (from === to) return value;
  if (to % from === 0) return value * (to / from);
  if (from % to === 0) return Math.round(value / (from / to));
  return Math.round((value * to) / from);
}
