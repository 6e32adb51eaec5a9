/**
 * Sluice tracks and media packets → FLV tag bodies (or RTMP audio/video/data message
 * payloads). The body of each tag is returned as two parts — a small header and the
 * payload view — so the payload is never copied.
 */
import type { Amf0Value } from '../amf0/types.js';
import { FLV_TIMESCALE, rescaleTimestamp, type MediaPacket, type TrackInfo } from '../packet.js';
import { FLV_AAC_SOUND_FLAGS, buildAudioTagHeader, flvSoundFlags, type FlvAudioCodec } from './audio-tag.js';
import { FlvTagType } from './header.js';
import { buildOnMetaDataBody } from './script-tag.js';
import { buildVideoTagHeader, type FlvVideoCodec } from './video-tag.js';

/** One tag's type, millisecond timestamp and body (`header` followed by `data`). */
export interface FlvTagParts {
  type: FlvTagType;
  /** Milliseconds; may exceed 2^32 (writers take it modulo 2^32). */
  timestamp: number;
  /** Tag-body header bytes (audio/video header), or the whole body for script tags. */
  header: Uint8Array;
  /** The payload view (empty for sequence ends and script tags). */
  data: Uint8Array;
}

/** Options of `FlvTagMuxer`. */
export interface FlvTagMuxerOptions {
  /** Write h264 and aac with the Enhanced RTMP headers too (default false: legacy headers, as every peer understands). */
  enhanced?: boolean;
  /** Write h265 with the legacy CodecID 12 instead of Enhanced RTMP `hvc1` (default false). */
  legacyHevc?: boolean;
}

const EMPTY = new Uint8Array(0);
const VIDEO_CODECS: ReadonlySet<string> = new Set(['h264', 'h265', 'av1', 'vp9']);
const AUDIO_CODECS: ReadonlySet<string> = new Set(['aac', 'mp3', 'opus']);

/** Turns one stream's tracks and packets into FLV tags. Uses the first video and first audio track. */
export class FlvTagMuxer {
  /** The video track written (first video track of a codec FLV carries), if any. */
  readonly video: TrackInfo | undefined;
  /** The audio track written, if any. */
  readonly audio: TrackInfo | undefined;
  private readonly videoEnhanced: boolean;
  private readonly audioEnhanced: boolean;
  private readonly audioFrameHeader: Uint8Array | undefined;
  /** The latest video frame header and what it encodes (most frames repeat it: a fan-out writes it per push). */
  private frameHeader: Uint8Array | undefined;
  private frameHeaderKey = false;
  private frameHeaderCts = 0;

  constructor(tracks: readonly TrackInfo[], options: FlvTagMuxerOptions = {}) {
    this.video = tracks.find((t) => t.kind === 'video' && VIDEO_CODECS.has(t.codec));
    this.audio = tracks.find((t) => t.kind === 'audio' && AUDIO_CODECS.has(t.codec));
    const v = this.video?.codec;
    this.videoEnhanced = v === 'h264' ? options.enhanced === true : v === 'h265' ? options.legacyHevc !== true : true;
    this.audioEnhanced = this.audio?.codec === 'opus' || (options.enhanced === true && this.audio?.codec === 'aac');
    if (this.audio)
      this.audioFrameHeader = buildAudioTagHeader({
        kind: 'frame',
        codec: this.audio.codec as FlvAudioCodec,
        enhanced: this.audioEnhanced,
        soundFlags: this.soundFlags(),
      });
  }

  /** Whether the file header should announce audio / video. */
  get flags(): { hasAudio: boolean; hasVideo: boolean } {
    return { hasAudio: this.audio !== undefined, hasVideo: this.video !== undefined };
  }

  /** The `onMetaData` script tag describing the tracks (`extra` properties added). */
  metadataTag(timestamp = 0, extra: Readonly<Record<string, Amf0Value>> = {}): FlvTagParts {
    const tracks = [this.video, this.audio].filter((t): t is TrackInfo => t !== undefined);
    return { type: FlvTagType.Script, timestamp, header: buildOnMetaDataBody(tracks, extra), data: EMPTY };
  }

  /** Sequence header tags (video first) for the tracks that have a configuration. */
  sequenceHeaderTags(timestamp = 0): FlvTagParts[] {
    const out: FlvTagParts[] = [];
    if (this.video?.config) {
      const header = buildVideoTagHeader({
        kind: 'config',
        codec: this.video.codec as FlvVideoCodec,
        enhanced: this.videoEnhanced,
      });
      out.push({ type: FlvTagType.Video, timestamp, header, data: this.video.config });
    }
    if (this.audio?.config) {
      const header = buildAudioTagHeader({
        kind: 'config',
        codec: this.audio.codec as FlvAudioCodec,
        enhanced: this.audioEnhanced,
        soundFlags: this.soundFlags(),
      });
      out.push({ type: FlvTagType.Audio, timestamp, header, data: this.audio.config });
    }
    return out;
  }

  /** The video end-of-sequence tag, if there is a video track. */
  endOfSequenceTag(timestamp: number): FlvTagParts | undefined {
    if (!this.video) return undefined;
    const header = buildVideoTagHeader({
      kind: 'end',
      codec: this.video.codec as FlvVideoCodec,
      enhanced: this.videoEnhanced,
    });
    return { type: FlvTagType.Video, timestamp, header, data: EMPTY };
  }

  /**
   * The tag of one packet: timestamps rescaled to milliseconds (composition time =
   * round(pts) - round(dts)); `undefined` for packets of tracks this muxer does not write.
   * The `header` may be the same array as the previous tag's when it holds the same
   * bytes: read-only.
   */
  packetTag(packet: MediaPacket): FlvTagParts | undefined {
    const track =
      packet.trackId === this.video?.id ? this.video : packet.trackId === this.audio?.id ? this.audio : undefined;
    if (!track) return undefined;
    const dts =
      track.timescale === FLV_TIMESCALE ? packet.dts : rescaleTimestamp(packet.dts, track.timescale, FLV_TIMESCALE);
    if (track === this.audio) {
      return { type: FlvTagType.Audio, timestamp: dts, header: this.audioFrameHeader as Uint8Array, data: packet.data };
    }
    const pts =
      track.timescale === FLV_TIMESCALE ? packet.pts : rescaleTimestamp(packet.pts, track.timescale, FLV_TIMESCALE);
    const cts = pts - dts;
    if (this.frameHeader === undefined || this.frameHeaderKey !== packet.key || this.frameHeaderCts !== cts) {
      this.frameHeader = buildVideoTagHeader({
        kind: 'frame',
        codec: track.codec as FlvVideoCodec,
        key: packet.key,
        cts,
        enhanced: this.videoEnhanced,
      });
      this.frameHeaderKey = packet.key;
      this.frameHeaderCts = cts;
    }
    return { type: FlvTagType.Video, timestamp: dts, header: this.frameHeader, data: packet.data };
  }

  private soundFlags(): number | undefined {
    const a = this.audio;
    if (!a || this.audioEnhanced) return undefined;
    if (a.codec === 'aac') return FLV_AAC_SOUND_FLAGS;
    return flvSoundFlags(a.sampleRate ?? 44_100, a.channels ?? 2);
  }
}
