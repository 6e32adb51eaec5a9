/**
 * FLV tags (or RTMP audio/video/data messages: the same bodies) → Sluice tracks and
 * media packets. Video is track 0, audio track 1 (`FLV_VIDEO_TRACK_ID`,
 * `FLV_AUDIO_TRACK_ID`); timestamps are milliseconds (timescale 1000), unwrapped past
 * 2^32 so that streams running longer than ~49.7 days keep increasing. Track fields come
 * from the codec configuration (SPS size and frame rate, AudioSpecificConfig/OpusHead
 * rate and channels) where it states them, else from onMetaData, else from the legacy
 * audio flags.
 */
import type { Amf0Object } from '../amf0/types.js';
import { FLV_TIMESCALE, type CodecName, type MediaPacket, type TrackInfo } from '../packet.js';
import { trackFieldsFromConfig } from '../track-config.js';
import { parseAudioTagBody } from './audio-tag.js';
import { FlvTagType } from './header.js';
import { parseScriptTagBody } from './script-tag.js';
import { parseVideoTagBody } from './video-tag.js';

/** Track id of the video track of an FLV stream. */
export const FLV_VIDEO_TRACK_ID = 0;
/** Track id of the audio track of an FLV stream. */
export const FLV_AUDIO_TRACK_ID = 1;

/** What one tag meant. */
export type FlvDemuxEvent =
  /** A sequence header set or changed a track's configuration (`track` is the new TrackInfo). */
  | { kind: 'track'; track: TrackInfo }
  /** A media packet; `newTrack` is set when this packet created its track (codecs without a sequence header, or frames before it). */
  | { kind: 'packet'; packet: MediaPacket; newTrack: TrackInfo | undefined }
  /** A script data tag, e.g. onMetaData (its properties also update track width/height/rates). */
  | { kind: 'metadata'; name: string; properties: Amf0Object | undefined }
  /** End of sequence on a track. */
  | { kind: 'end'; trackId: number }
  /** A tag Sluice does not carry (unsupported codec or packet type, command frame, enhanced video metadata). */
  | { kind: 'ignored'; reason: string };

const TWO_32 = 0x100000000;
const TWO_31 = 0x80000000;

/** Turns FLV tags into tracks and packets. One instance per stream. */
export class FlvTagDemuxer {
  private video: TrackInfo | undefined;
  private audio: TrackInfo | undefined;
  /** Last onMetaData properties seen. */
  metadata: Amf0Object | undefined;
  private soundFlags: number | undefined;
  private lastRaw = -1;
  private epoch = 0;

  /** The tracks known so far (video first). */
  get tracks(): TrackInfo[] {
    const out: TrackInfo[] = [];
    if (this.video) out.push(this.video);
    if (this.audio) out.push(this.audio);
    return out;
  }

  /**
   * Interprets one tag (type 8, 9 or 18) with its 32-bit millisecond timestamp and body.
   * Throws `FlvParseError` for a malformed body; the demuxer stays usable afterwards.
   */
  demux(type: number, timestamp: number, body: Uint8Array): FlvDemuxEvent {
    if (type === FlvTagType.Video) return this.demuxVideo(timestamp, body);
    if (type === FlvTagType.Audio) return this.demuxAudio(timestamp, body);
    if (type === FlvTagType.Script) {
      const script = parseScriptTagBody(body);
      if (script.name === 'onMetaData' && script.properties) this.applyMetadata(script.properties);
      return { kind: 'metadata', name: script.name, properties: script.properties };
    }
    return { kind: 'ignored', reason: `tag type ${type}` };
  }

  /** 32-bit ms timestamp → monotonic ms, following wraps (a jump back of more than 2^31 is a wrap). */
  private unwrap(raw: number): number {
    const t = raw % TWO_32;
    if (this.lastRaw >= 0) {
      if (t < this.lastRaw && this.lastRaw - t > TWO_31) this.epoch += TWO_32;
      else if (t > this.lastRaw && t - this.lastRaw > TWO_31 && this.epoch > 0) return this.epoch - TWO_32 + t; // late tag from before the wrap
    }
    this.lastRaw = t;
    return this.epoch + t;
  }

  private demuxVideo(timestamp: number, body: Uint8Array): FlvDemuxEvent {
    const v = parseVideoTagBody(body);
    switch (v.kind) {
      case 'config': {
        this.video = this.videoTrack(v.codec, v.config);
        return { kind: 'track', track: this.video };
      }
      case 'frame': {
        let newTrack: TrackInfo | undefined;
        if (!this.video || this.video.codec !== v.codec) {
          newTrack = this.video = this.videoTrack(v.codec, undefined);
        }
        const dts = this.unwrap(timestamp);
        return {
          kind: 'packet',
          packet: { trackId: FLV_VIDEO_TRACK_ID, dts, pts: dts + v.cts, key: v.key, data: v.data },
          newTrack,
        };
      }
      case 'end':
        return { kind: 'end', trackId: FLV_VIDEO_TRACK_ID };
      case 'metadata':
        return { kind: 'ignored', reason: 'enhanced video metadata' };
      case 'command':
        return { kind: 'ignored', reason: 'video command frame' };
      default:
        return { kind: 'ignored', reason: v.reason };
    }
  }

  private demuxAudio(timestamp: number, body: Uint8Array): FlvDemuxEvent {
    const a = parseAudioTagBody(body);
    switch (a.kind) {
      case 'config': {
        this.soundFlags = a.soundFlags;
        this.audio = this.audioTrack(a.codec, a.config);
        return { kind: 'track', track: this.audio };
      }
      case 'frame': {
        let newTrack: TrackInfo | undefined;
        if (!this.audio || this.audio.codec !== a.codec) {
          this.soundFlags = a.soundFlags;
          newTrack = this.audio = this.audioTrack(a.codec, undefined);
        }
        const dts = this.unwrap(timestamp);
        return {
          kind: 'packet',
          packet: { trackId: FLV_AUDIO_TRACK_ID, dts, pts: dts, key: true, data: a.data },
          newTrack,
        };
      }
      case 'end':
        return { kind: 'end', trackId: FLV_AUDIO_TRACK_ID };
      default:
        return { kind: 'ignored', reason: a.reason };
    }
  }

  private videoTrack(codec: CodecName, config: Uint8Array | undefined): TrackInfo {
    const m = this.metadata;
    return {
      id: FLV_VIDEO_TRACK_ID,
      kind: 'video',
      codec,
      timescale: FLV_TIMESCALE,
      config,
      width: positive(m?.width),
      height: positive(m?.height),
      frameRate: positive(m?.framerate),
      bitrate: kbps(m?.videodatarate),
      ...trackFieldsFromConfig(codec, config),
    };
  }

  private audioTrack(codec: CodecName, config: Uint8Array | undefined): TrackInfo {
    const m = this.metadata;
    const flags = this.soundFlags;
    const stereo = typeof m?.stereo === 'boolean' ? m.stereo : flags === undefined ? undefined : (flags & 1) === 1;
    return {
      id: FLV_AUDIO_TRACK_ID,
      kind: 'audio',
      codec,
      timescale: FLV_TIMESCALE,
      config,
      sampleRate: positive(m?.audiosamplerate),
      channels: stereo === undefined ? undefined : stereo ? 2 : 1,
      bitrate: kbps(m?.audiodatarate),
      ...trackFieldsFromConfig(codec, config),
    };
  }

  private applyMetadata(props: Amf0Object): void {
    this.metadata = props;
    if (this.video) this.video = this.videoTrack(this.video.codec, this.video.config);
    if (this.audio) this.audio = this.audioTrack(this.audio.codec, this.audio.config);
  }
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

function kbps(v: unknown): number | undefined {
  const k = positive(v);
  return k === undefined ? undefined : Math.round(k * 1000);
}
