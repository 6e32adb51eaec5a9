/**
 * Demuxer side of the elementary streams: a complete PES payload becomes MediaPackets
 * in the Sluice model (AVCC video, raw AAC frames, raw Opus packets, MP3 frames, ID3
 * tags), and the track's configuration is learnt from the stream.
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import {
  buildAvcConfigFromNalUnits,
  buildHevcConfigFromNalUnits,
  audioSpecificConfigFromAdts,
  buildOpusHead,
  forEachAnnexBNalUnit,
  H264NalUnitType,
  isH265IrapType,
  parseAdtsHeader,
  isMpegAudioHeader,
  parseMpegAudioHeader,
  opusHeadFromTsChannelConfig,
  isAdtsHeader,
  parseOpusControlHeader,
  H265NalUnitType,
} from '@sluice/media';
import { TsDemuxError } from './errors.js';
import { allocateBytes } from './alloc.js';
import { opusPacketSamples } from './opus-duration.js';

const EMPTY = new Uint8Array(0);

/** Receives one demuxed packet. */
export type PacketSink = (packet: MediaPacket) => void;

/** Turns one PES payload of a track into packets. */
export interface EsReader {
  readonly track: TrackInfo;
  /** True once the track's configuration is known (or not needed). */
  readonly ready: boolean;
  /**
   * Reads one PES payload (a view the reader may keep: the demuxer never reuses it).
   * pts/dts are unwrapped 90 kHz values. Throws TsDemuxError('es') for malformed data
   * after emitting what was valid.
   */
  read(payload: Uint8Array, pts: number, dts: number, randomAccess: boolean, emit: PacketSink): void;
}

/** H.264 / H.265: drops access unit delimiters, converts to 4-byte length prefixes, finds keyframes and parameter sets. */
export class VideoEsReader implements EsReader {
  ready = false;
  private key = false;
  private sps: Uint8Array | undefined;
  private pps: Uint8Array | undefined;
  private vps: Uint8Array | undefined;
  /** NAL units of the access unit being read (views), reused. */
  private readonly nals: Uint8Array[] = [];
  private nalCount = 0;
  private nalBytes = 0;
  private readonly h264: boolean;
  // one pass over the Annex B data: collect the NAL units, note keyframes and parameter sets
  private readonly collect = (nal: Uint8Array): void => {
    if (this.h264) {
      const t = nal[0]! & 0x1f;
      if (t === H264NalUnitType.Aud) return; // MPEG-TS framing: left out of the model
      if (t === H264NalUnitType.IdrSlice) this.key = true;
      else if (t === H264NalUnitType.Sps) this.sps ??= nal.slice();
      else if (t === H264NalUnitType.Pps) this.pps ??= nal.slice();
    } else {
      const t = (nal[0]! >> 1) & 0x3f;
      if (t === H265NalUnitType.Aud) return;
      if (isH265IrapType(t)) this.key = true;
      else if (t === H265NalUnitType.Vps) this.vps ??= nal.slice();
      else if (t === H265NalUnitType.Sps) this.sps ??= nal.slice();
      else if (t === H265NalUnitType.Pps) this.pps ??= nal.slice();
    }
    this.nals[this.nalCount++] = nal;
    this.nalBytes += 4 + nal.length;
  };

  constructor(readonly track: TrackInfo) {
    this.h264 = track.codec === 'h264';
  }

  read(payload: Uint8Array, pts: number, dts: number, _ra: boolean, emit: PacketSink): void {
    this.key = false;
    this.nalCount = 0;
    this.nalBytes = 0;
    try {
      forEachAnnexBNalUnit(payload, this.collect);
    } catch (error) {
      throw new TsDemuxError('es', `${this.track.codec} access unit at pts ${pts}: ${(error as Error).message}`, this.track.id);
    }
    if (this.nalCount === 0) return;
    // 4-byte NAL unit lengths (the model's AVCC framing)
    const avcc = allocateBytes(this.nalBytes);
    let o = 0;
    for (let i = 0; i < this.nalCount; i++) {
      const nal = this.nals[i]!;
      const n = nal.length;
      avcc[o] = n >>> 24;
      avcc[o + 1] = (n >>> 16) & 0xff;
      avcc[o + 2] = (n >>> 8) & 0xff;
      avcc[o + 3] = n & 0xff;
      avcc.set(nal, o + 4);
      o += 4 + n;
    }
    this.nals.fill(EMPTY, 0, this.nalCount);
    if (!this.ready) this.learnConfig();
    emit({ trackId: this.track.id, pts, dts, key: this.key, data: avcc });
  }

  /** Builds the track's avcC / hvcC from the first parameter sets seen. */
  private learnConfig(): void {
    const h264 = this.h264;
    if (!this.sps || !this.pps || (!h264 && !this.vps)) return;
    try {
      this.track.config = h264 ? buildAvcConfigFromNalUnits([this.sps, this.pps]) : buildHevcConfigFromNalUnits([this.vps!, this.sps, this.pps]);
    } catch {
      // parameter sets that do not parse: the track goes on without a configuration record
    }
    this.ready = true;
  }
}

/** AAC in ADTS: one packet per frame, raw (header removed); later frames of a PES get interpolated timestamps. */
export class AacEsReader implements EsReader {
  ready = false;
  constructor(readonly track: TrackInfo) {}

  read(payload: Uint8Array, pts: number, dts: number, _ra: boolean, emit: PacketSink): void {
    let p = 0;
    let samples = 0;
    while (p < payload.length) {
      if (!isAdtsHeader(payload, p)) throw new TsDemuxError('es', `no ADTS frame at byte ${p} of a ${payload.length}-byte PES`, this.track.id);
      const h = parseAdtsHeader(payload, p);
      if (p + h.frameLength > payload.length) throw new TsDemuxError('es', `ADTS frame of ${h.frameLength} bytes runs past the PES`, this.track.id);
      if (!this.ready) {
        this.track.sampleRate = h.sampleRate;
        this.track.channels = h.channels;
        try {
          this.track.config = audioSpecificConfigFromAdts(h);
        } catch {
          // channel_configuration 0: no AudioSpecificConfig can be derived
        }
        this.ready = true;
      }
      const offset = Math.round((samples * 90000) / h.sampleRate);
      emit({ trackId: this.track.id, pts: pts + offset, dts: dts + offset, key: true, data: payload.subarray(p + h.headerLength, p + h.frameLength) });
      samples += 1024 * h.rawDataBlocks;
      p += h.frameLength;
    }
  }
}

/** MPEG-1/2 audio (MP3): one packet per frame. */
export class MpegAudioEsReader implements EsReader {
  ready = false;
  constructor(readonly track: TrackInfo) {}

  read(payload: Uint8Array, pts: number, dts: number, _ra: boolean, emit: PacketSink): void {
    let p = 0;
    let samples = 0;
    while (p + 4 <= payload.length) {
      if (!isMpegAudioHeader(payload, p)) throw new TsDemuxError('es', `no MPEG audio frame at byte ${p} of a ${payload.length}-byte PES`, this.track.id);
      const info = parseMpegAudioHeader(payload, p);
      const end = Math.min(payload.length, p + info.frameLength);
      if (!this.ready) {
        this.track.sampleRate = info.sampleRate;
        this.track.channels = info.channels;
        this.ready = true;
      }
      const offset = Math.round((samples * 90000) / info.sampleRate);
      emit({ trackId: this.track.id, pts: pts + offset, dts: dts + offset, key: true, data: payload.subarray(p, end) });
      samples += info.samplesPerFrame;
      p = end;
    }
  }
}

/** Opus: control header + packet, one packet per access unit. */
export class OpusEsReader implements EsReader {
  ready = true;
  /** `channelConfigCode`: channel_config_code of the PMT's Opus descriptor (0..8; others give stereo). */
  constructor(
    readonly track: TrackInfo,
    channelConfigCode: number,
  ) {
    const head = opusHeadFromTsChannelConfig(channelConfigCode) ?? opusHeadFromTsChannelConfig(2)!;
    track.channels = head.channelCount;
    track.sampleRate = 48000;
    track.config = buildOpusHead(head);
  }

  read(payload: Uint8Array, pts: number, dts: number, _ra: boolean, emit: PacketSink): void {
    let p = 0;
    let samples = 0;
    while (p < payload.length) {
      let header;
      try {
        header = parseOpusControlHeader(payload, p);
      } catch (error) {
        throw new TsDemuxError('es', (error as Error).message, this.track.id);
      }
      const start = p + header.headerLength;
      const end = start + header.auSize;
      if (end > payload.length) throw new TsDemuxError('es', `Opus access unit of ${header.auSize} bytes runs past the PES`, this.track.id);
      const data = payload.subarray(start, end);
      const offset = Math.round((samples * 90000) / 48000);
      emit({ trackId: this.track.id, pts: pts + offset, dts: dts + offset, key: true, data });
      samples += opusPacketSamples(data);
      p = end;
    }
  }
}

/** ID3 timed metadata and other opaque payloads: the whole PES payload is one packet. */
export class OpaqueEsReader implements EsReader {
  ready = true;
  constructor(readonly track: TrackInfo) {}
  read(payload: Uint8Array, pts: number, dts: number, _ra: boolean, emit: PacketSink): void {
    emit({ trackId: this.track.id, pts, dts, key: true, data: payload });
  }
}
