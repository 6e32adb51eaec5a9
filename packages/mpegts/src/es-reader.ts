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

/** Where one audio frame of a PES lies and what it holds (filled by a framing, reused for every frame). */
interface AudioFrame {
  /** First byte of the packet's data (after any header the packet leaves out). */
  start: number;
  /** One past the frame's last byte: where the next frame begins. */
  end: number;
  sampleRate: number;
  channels: number;
  samples: number;
}

/**
 * Audio whose frames stand back to back in a PES (ADTS, MPEG audio): one packet per frame,
 * the track's rate and channels learnt from the first frame, and each later frame of a PES
 * stamped with the PES's timestamps (90 kHz) moved on by the samples before it.
 */
abstract class FramedAudioEsReader implements EsReader {
  ready = false;
  private readonly frame: AudioFrame = { start: 0, end: 0, sampleRate: 0, channels: 0, samples: 0 };
  constructor(
    readonly track: TrackInfo,
    /** The fewest bytes a frame header needs: fewer left at the end of a PES are not read. */
    private readonly minHeaderBytes: number,
  ) {}

  /** Fills `frame` with the frame at byte `p`; throws TsDemuxError('es') when there is none. */
  protected abstract frameAt(payload: Uint8Array, p: number, frame: AudioFrame): void;

  read(payload: Uint8Array, pts: number, dts: number, _ra: boolean, emit: PacketSink): void {
    const frame = this.frame;
    let p = 0;
    let samples = 0;
    while (p + this.minHeaderBytes <= payload.length) {
      this.frameAt(payload, p, frame);
      if (!this.ready) {
        this.track.sampleRate = frame.sampleRate;
        this.track.channels = frame.channels;
        this.ready = true;
      }
      const offset = Math.round((samples * 90000) / frame.sampleRate);
      emit({
        trackId: this.track.id,
        pts: pts + offset,
        dts: dts + offset,
        key: true,
        data: payload.subarray(frame.start, frame.end),
      });
      samples += frame.samples;
      p = frame.end;
    }
  }
}

/** AAC in ADTS: one packet per frame, raw (header removed); later frames of a PES get interpolated timestamps. */
export class AacEsReader extends FramedAudioEsReader {
  constructor(track: TrackInfo) {
    super(track, 1);
  }

  protected frameAt(payload: Uint8Array, p: number, frame: AudioFrame): void {
    if (!isAdtsHeader(payload, p))
      throw new TsDemuxError('es', `no ADTS frame at byte ${p} of a ${payload.length}-byte PES`, this.track.id);
    const h = parseAdtsHeader(payload, p);
    if (p + h.frameLength > payload.length)
      throw new TsDemuxError('es', `ADTS frame of ${h.frameLength} bytes runs past the PES`, this.track.id);
    if (!this.ready) {
      try {
        this.track.config = audioSpecificConfigFromAdts(h);
      } catch {
        // channel_configuration 0: no AudioSpecificConfig can be derived
      }
    }
    frame.start = p + h.headerLength;
    frame.end = p + h.frameLength;
    frame.sampleRate = h.sampleRate;
    frame.channels = h.channels;
    frame.samples = 1024 * h.rawDataBlocks;
  }
}

/** MPEG-1/2 audio (MP3): one packet per frame (header included); a frame cut short by the PES's end is emitted as it is. */
export class MpegAudioEsReader extends FramedAudioEsReader {
  constructor(track: TrackInfo) {
    super(track, 4);
  }

  protected frameAt(payload: Uint8Array, p: number, frame: AudioFrame): void {
    if (!isMpegAudioHeader(payload, p))
      throw new TsDemuxError('es', `no MPEG audio frame at byte ${p} of a ${payload.length}-byte PES`, this.track.id);
    const info = parseMpegAudioHeader(payload, p);
    frame.start = p;
    frame.end = Math.min(payload.length, p + info.frameLength);
    frame.sampleRate = info.sampleRate;
    frame.channels = info.channels;
    frame.samples = info.samplesPerFrame;
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
