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
import { AnnexBLayout } from './annexb-layout.js';

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
  /** NAL units of the access unit being read (offsets, reused). */
  private readonly layout = new AnnexBLayout();
  private readonly h264: boolean;

  constructor(readonly track: TrackInfo) {
    this.h264 = track.codec === 'h264';
  }

  read(payload: Uint8Array, pts: number, dts: number, _ra: boolean, emit: PacketSink): void {
    if (!this.scan(payload, 0, payload.length, pts)) return;
    // 4-byte NAL unit lengths (the model's AVCC framing)
    const avcc = allocateBytes(this.layout.avccSize());
    this.layout.copyTo(payload, avcc, 0);
    this.deliver(avcc, pts, dts, emit);
  }

  /**
   * Like read() for the payload `buf[start, end)` of memory the demuxer never rewrites
   * (video only: the demuxer assembles one video PID's PES in its input slab): the
   * access unit is converted to AVCC in place (bytes from `floor` on, the PES header
   * included, may be overwritten) and emitted as a view of `buf`; copied only when the
   * 3-byte start codes need more room than there is.
   */
  readInPlace(
    buf: Uint8Array,
    floor: number,
    start: number,
    end: number,
    pts: number,
    dts: number,
    emit: PacketSink,
  ): void {
    if (!this.scan(buf, start, end, pts)) return;
    const layout = this.layout;
    const at = layout.convertInPlace(buf, floor);
    if (at >= 0) {
      this.deliver(buf.subarray(at, layout.ends[layout.count - 1]), pts, dts, emit);
      return;
    }
    const avcc = allocateBytes(layout.avccSize());
    layout.copyTo(buf, avcc, 0);
    this.deliver(avcc, pts, dts, emit);
  }

  /** Finds the NAL units of buf[start, end), keeps all but AUDs, notes keyframes and parameter sets; false when none is left. */
  private scan(buf: Uint8Array, start: number, end: number, pts: number): boolean {
    const layout = this.layout;
    const bad = layout.scan(buf, start, end);
    if (bad >= 0) {
      const message = `annexb: data does not start with a start code (byte ${bad - start} is 0x${buf[bad]!.toString(16)})`;
      throw new TsDemuxError('es', `${this.track.codec} access unit at pts ${pts}: ${message}`, this.track.id);
    }
    this.key = false;
    let kept = 0;
    for (let i = 0; i < layout.count; i++) {
      const s = layout.starts[i]!;
      if (this.h264) {
        const t = buf[s]! & 0x1f;
        if (t === H264NalUnitType.Aud) continue; // MPEG-TS framing: left out of the model
        if (t === H264NalUnitType.IdrSlice) this.key = true;
        else if (t === H264NalUnitType.Sps) this.sps ??= buf.slice(s, layout.ends[i]);
        else if (t === H264NalUnitType.Pps) this.pps ??= buf.slice(s, layout.ends[i]);
      } else {
        const t = (buf[s]! >> 1) & 0x3f;
        if (t === H265NalUnitType.Aud) continue;
        if (isH265IrapType(t)) this.key = true;
        else if (t === H265NalUnitType.Vps) this.vps ??= buf.slice(s, layout.ends[i]);
        else if (t === H265NalUnitType.Sps) this.sps ??= buf.slice(s, layout.ends[i]);
        else if (t === H265NalUnitType.Pps) this.pps ??= buf.slice(s, layout.ends[i]);
      }
      layout.keep(i, kept++);
    }
    layout.count = kept;
    return kept > 0;
  }

  private deliver(data: Uint8Array, pts: number, dts: number, emit: PacketSink): void {
    if (!this.ready) this.learnConfig();
    emit({ trackId: this.track.id, pts, dts, key: this.key, data });
  }

  /** Builds the track's avcC / hvcC from the first parameter sets seen. */
  private learnConfig(): void {
    const h264 = this.h264;
    if (!this.sps || !this.pps || (!h264 && !this.vps)) return;
    try {
      this.track.config = h264
        ? buildAvcConfigFromNalUnits([this.sps, this.pps])
        : buildHevcConfigFromNalUnits([this.vps!, this.sps, this.pps]);
    } catch {
      // parameter sets that do not parse: the track goes on without a configuration record
    }
    this.ready = true;
  }
}

/**
 * Emits one audio frame of a PES that follows `samplesBefore` samples of it: its timestamps
 * are the PES's (90 kHz) moved on by that much at `sampleRate`.
 */
function emitAudioFrame(
  emit: PacketSink,
  trackId: number,
  pts: number,
  dts: number,
  samplesBefore: number,
  sampleRate: number,
  data: Uint8Array,
): void {
  const offset = Math.round((samplesBefore * 90000) / sampleRate);
  emit({ trackId, pts: pts + offset, dts: dts + offset, key: true, data });
}

/** AAC in ADTS: one packet per frame, raw (header removed); later frames of a PES get interpolated timestamps. */
export class AacEsReader implements EsReader {
  ready = false;
  constructor(readonly track: TrackInfo) {}

  read(payload: Uint8Array, pts: number, dts: number, _ra: boolean, emit: PacketSink): void {
    let p = 0;
    let samples = 0;
    while (p < payload.length) {
      if (!isAdtsHeader(payload, p))
        throw new TsDemuxError('es', `no ADTS frame at byte ${p} of a ${payload.length}-byte PES`, this.track.id);
      const h = parseAdtsHeader(payload, p);
      if (p + h.frameLength > payload.length)
        throw new TsDemuxError('es', `ADTS frame of ${h.frameLength} bytes runs past the PES`, this.track.id);
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
      emitAudioFrame(
        emit,
        this.track.id,
        pts,
        dts,
        samples,
        h.sampleRate,
        payload.subarray(p + h.headerLength, p + h.frameLength),
      );
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
      if (!isMpegAudioHeader(payload, p))
        throw new TsDemuxError('es', `no MPEG audio frame at byte ${p} of a ${payload.length}-byte PES`, this.track.id);
      const info = parseMpegAudioHeader(payload, p);
      const end = Math.min(payload.length, p + info.frameLength);
      if (!this.ready) {
        this.track.sampleRate = info.sampleRate;
        this.track.channels = info.channels;
        this.ready = true;
      }
      emitAudioFrame(emit, this.track.id, pts, dts, samples, info.sampleRate, payload.subarray(p, end));
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
      if (end > payload.length)
        throw new TsDemuxError('es', `Opus access unit of ${header.auSize} bytes runs past the PES`, this.track.id);
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
