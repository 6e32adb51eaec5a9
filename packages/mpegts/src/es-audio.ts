/** AAC (ADTS), MP3 and Opus elementary streams in MPEG-TS. */
import type { MediaPacket, TrackInfo, AdtsConfig } from '@sluice/media';
import {
  writeAdtsHeader,
  ADTS_HEADER_SIZE,
  isAdtsHeader,
  writeOpusControlHeader,
  opusControlHeaderSize,
  parseOpusHead,
  tsChannelConfigOfOpusHead,
} from '@sluice/media';
import { TsMuxError } from './errors.js';
import { StreamId, StreamType, DescriptorTag } from './constants.js';
import type { EsFormat } from './es-format.js';
import { adtsConfigOf } from './audio-config.js';

const NO_DESCRIPTORS = new Uint8Array(0);

/** AAC raw frames get an ADTS header built from the track's AudioSpecificConfig (stream_type 0x0F). */
export class AacAudioFormat implements EsFormat {
  readonly streamType = StreamType.aacAdts;
  readonly streamId = StreamId.audio;
  readonly descriptors = NO_DESCRIPTORS;
  readonly isVideo = false;
  readonly packable = true;
  private readonly adts: AdtsConfig;

  constructor(track: TrackInfo) {
    if (!track.config) throw new TsMuxError(`track ${track.id}: AAC needs its AudioSpecificConfig in track.config`);
    this.adts = adtsConfigOf(track.config, track.id);
  }

  size(packet: MediaPacket): number {
    return isAdtsHeader(packet.data, 0) ? packet.data.length : packet.data.length + ADTS_HEADER_SIZE;
  }

  write(packet: MediaPacket, dest: Uint8Array, offset: number): number {
    const data = packet.data;
    if (isAdtsHeader(data, 0)) {
      // already ADTS (some sources send it so): pass through
      dest.set(data, offset);
      return data.length;
    }
    if (data.length + ADTS_HEADER_SIZE > 8191)
      throw new TsMuxError(`track ${packet.trackId}: AAC frame of ${data.length} bytes is too large for ADTS`);
    writeAdtsHeader(dest, offset, this.adts, data.length);
    dest.set(data, offset + ADTS_HEADER_SIZE);
    return data.length + ADTS_HEADER_SIZE;
  }
}

/** MPEG audio frames pass through (stream_type 0x03 for 32..48 kHz, 0x04 for lower rates). */
export class Mp3AudioFormat implements EsFormat {
  readonly streamType: number;
  readonly streamId = StreamId.audio;
  readonly descriptors = NO_DESCRIPTORS;
  readonly isVideo = false;
  readonly packable = true;

  constructor(track: TrackInfo) {
    this.streamType =
      track.sampleRate !== undefined && track.sampleRate < 32000 ? StreamType.mpeg2Audio : StreamType.mpeg1Audio;
  }

  size(packet: MediaPacket): number {
    return packet.data.length;
  }

  write(packet: MediaPacket, dest: Uint8Array, offset: number): number {
    dest.set(packet.data, offset);
    return packet.data.length;
  }
}

/**
 * Opus (ETSI TS 102 366 style carriage): stream_type 0x06 with a registration
 * descriptor 'Opus' and a DVB extension descriptor giving the channel configuration;
 * every packet is preceded by an Opus control header.
 */
export class OpusAudioFormat implements EsFormat {
  readonly streamType = StreamType.privatePes;
  readonly streamId = StreamId.privateStream1;
  readonly descriptors: Uint8Array;
  readonly isVideo = false;
  readonly packable = false;

  constructor(track: TrackInfo) {
    let code = Math.min(track.channels ?? 2, 2);
    if (track.config) {
      let head;
      try {
        head = parseOpusHead(track.config);
      } catch (error) {
        throw new TsMuxError(`track ${track.id}: bad OpusHead: ${(error as Error).message}`);
      }
      // channel_config_code 1..8 (mapping family 0, or 1 in Vorbis order); 0xFF: none describes it
      code = tsChannelConfigOfOpusHead(head) ?? 0xff;
    }
    this.descriptors = new Uint8Array([
      // registration_descriptor: format_identifier 'Opus'
      DescriptorTag.registration,
      4,
      0x4f,
      0x70,
      0x75,
      0x73,
      // DVB extension_descriptor: descriptor_tag_extension=0x80 (user defined), channel_config_code
      DescriptorTag.dvbExtension,
      2,
      0x80,
      code,
    ]);
  }

  size(packet: MediaPacket): number {
    return opusControlHeaderSize(packet.data.length) + packet.data.length;
  }

  write(packet: MediaPacket, dest: Uint8Array, offset: number): number {
    const n = writeOpusControlHeader(dest, offset, packet.data.length);
    dest.set(packet.data, offset + n);
    return n + packet.data.length;
  }
}
