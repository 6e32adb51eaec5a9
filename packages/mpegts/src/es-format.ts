/**
 * Elementary stream formats: how each codec's MediaPacket payload becomes PES payload
 * bytes, and which stream_type, stream_id and PMT descriptors announce it.
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { TsMuxError } from './errors.js';
import { StreamId, StreamType, DescriptorTag } from './constants.js';
import { H264VideoFormat, H265VideoFormat } from './es-video.js';
import { AacAudioFormat, Mp3AudioFormat, OpusAudioFormat } from './es-audio.js';

/** One track's elementary stream writer. */
export interface EsFormat {
  readonly streamType: number;
  readonly streamId: number;
  /** ES_info descriptors of the PMT entry. */
  readonly descriptors: Uint8Array;
  /** True for video: PES_packet_length 0, random_access_indicator on keyframes. */
  readonly isVideo: boolean;
  /** True when consecutive frames may share one PES (AAC, MP3). */
  readonly packable: boolean;
  /**
   * Exact number of bytes write() produces for `packet`. Call it right before write()
   * with the same packet (video formats scan the access unit here). Throws TsMuxError
   * for a malformed payload.
   */
  size(packet: MediaPacket): number;
  /** Writes the PES payload bytes of `packet` at `dest[offset]`; returns bytes written. */
  write(packet: MediaPacket, dest: Uint8Array, offset: number): number;
}

/** Passes the payload through unchanged (MP3 frames, ID3 tags). */
export class RawFormat implements EsFormat {
  readonly isVideo = false;
  constructor(
    readonly streamType: number,
    readonly streamId: number,
    readonly descriptors: Uint8Array,
    readonly packable: boolean,
  ) {}
  size(packet: MediaPacket): number {
    return packet.data.length;
  }
  write(packet: MediaPacket, dest: Uint8Array, offset: number): number {
    dest.set(packet.data, offset);
    return packet.data.length;
  }
}

// metadata_descriptor for ID3 timed metadata: metadata_application_format=0xFFFF,
// identifier 'ID3 ', metadata_format=0xFF, identifier 'ID3 ', metadata_service_id=0,
// decoder_config_flags=000, DSM-CC_flag=0, reserved=1111
const ID3_DESCRIPTOR = new Uint8Array([
  DescriptorTag.metadata,
  13,
  0xff,
  0xff,
  0x49,
  0x44,
  0x33,
  0x20,
  0xff,
  0x49,
  0x44,
  0x33,
  0x20,
  0x00,
  0x0f,
]);

/** The EsFormat of a track; throws TsMuxError for codecs MPEG-TS cannot carry here. */
export function esFormatFor(track: TrackInfo): EsFormat {
  switch (track.codec) {
    case 'h264':
      return new H264VideoFormat(track);
    case 'h265':
      return new H265VideoFormat(track);
    case 'aac':
      return new AacAudioFormat(track);
    case 'opus':
      return new OpusAudioFormat(track);
    case 'mp3':
      return new Mp3AudioFormat(track);
    case 'id3':
      return new RawFormat(StreamType.metadataPes, StreamId.privateStream1, ID3_DESCRIPTOR, false);
    default:
      throw new TsMuxError(`track ${track.id}: codec ${track.codec} cannot be carried in MPEG-TS`);
  }
}

/** Why a track cannot be muxed, or null when it can (for push sink factories). */
export function tsCannotCarry(track: TrackInfo): string | null {
  if (track.codec === 'av1' || track.codec === 'vp9') return `codec ${track.codec} is not supported in MPEG-TS`;
  if (track.codec === 'aac' && (track.config === undefined || track.config.length < 2))
    return 'AAC track without AudioSpecificConfig';
  return null;
}
