/**
 * H.264 and H.265 in MPEG-TS: length-prefixed access units become Annex B with an
 * access unit delimiter first and, on keyframes, the parameter sets of the track's
 * configuration record when the access unit lacks them.
 */
import type { MediaPacket, TrackInfo, NalLengthSize } from '@sluice/media';
import {
  forEachNalUnit,
  writeAnnexBNalUnit,
  H264_AUD_NAL,
  H265_AUD_NAL,
  H264NalUnitType,
  H265NalUnitType,
} from '@sluice/media';
import { TsMuxError } from './errors.js';
import { StreamId, StreamType } from './constants.js';
import type { EsFormat } from './es-format.js';
import { parameterSetsOf } from './video-config.js';

const NO_DESCRIPTORS = new Uint8Array(0);

/** The TsMuxError for an access unit whose length-prefixed NAL units do not parse. */
function malformedAccessUnit(packet: MediaPacket, error: unknown): TsMuxError {
  return new TsMuxError(
    `track ${packet.trackId}: malformed access unit at dts ${packet.dts}: ${(error as Error).message}`,
  );
}

/** Shared logic of the two video formats; `nalType` and the type numbers differ. */
abstract class AnnexBVideoFormat implements EsFormat {
  readonly streamId = StreamId.video;
  readonly descriptors = NO_DESCRIPTORS;
  readonly isVideo = true;
  readonly packable = false;
  abstract readonly streamType: number;
  protected readonly lengthSize: NalLengthSize;
  /** Parameter sets of the configuration record in Annex B (inserted on keyframes that lack them). */
  private readonly parameterSets: Uint8Array;
  private readonly aud: Uint8Array;
  // state of the NAL scan / copy (fields, not closures: no allocation per packet)
  private hasAud = false;
  private hasParameterSets = false;
  /** Bytes of the scanned access unit's NAL units in Annex B (4-byte start codes), its AUD left out. */
  private annexBBytes = 0;
  private insertSets = false;
  private dest: Uint8Array = NO_DESCRIPTORS;
  private pos = 0;
  private readonly scanNal = (nal: Uint8Array): void => {
    const t = this.nalType(nal);
    if (t === this.audType) {
      this.hasAud = true;
      return;
    }
    if (this.isParameterSet(t)) this.hasParameterSets = true;
    this.annexBBytes += 4 + nal.length;
  };
  private readonly copyNal = (nal: Uint8Array): void => {
    this.pos += writeAnnexBNalUnit(nal, this.dest, this.pos);
  };
  private readonly copyNalAfterAud = (nal: Uint8Array): void => {
    if (this.nalType(nal) === this.audType) return;
    this.pos += writeAnnexBNalUnit(nal, this.dest, this.pos);
  };

  constructor(
    track: TrackInfo,
    private readonly audType: number,
    audNal: Uint8Array,
  ) {
    const sets = track.config ? parameterSetsOf(track.codec === 'h265' ? 'h265' : 'h264', track.config) : undefined;
    this.lengthSize = sets?.lengthSize ?? 4;
    let size = 0;
    for (const nal of sets?.nalUnits ?? []) size += 4 + nal.length;
    this.parameterSets = new Uint8Array(size);
    let o = 0;
    for (const nal of sets?.nalUnits ?? []) o += writeAnnexBNalUnit(nal, this.parameterSets, o);
    this.aud = new Uint8Array(4 + audNal.length);
    writeAnnexBNalUnit(audNal, this.aud, 0);
  }

  protected abstract nalType(nal: Uint8Array): number;
  protected abstract isParameterSet(type: number): boolean;

  size(packet: MediaPacket): number {
    this.hasAud = false;
    this.hasParameterSets = false;
    this.annexBBytes = 0;
    try {
      forEachNalUnit(packet.data, this.lengthSize, this.scanNal);
    } catch (error) {
      throw malformedAccessUnit(packet, error);
    }
    this.insertSets = packet.key && !this.hasParameterSets;
    return this.aud.length + (this.insertSets ? this.parameterSets.length : 0) + this.annexBBytes;
  }

  /** Writes the access unit scanned by size(): our AUD, parameter sets when due, the NAL units (their AUD left out). */
  write(packet: MediaPacket, dest: Uint8Array, offset: number): number {
    this.dest = dest;
    this.pos = offset;
    dest.set(this.aud, this.pos);
    this.pos += this.aud.length;
    if (this.insertSets) {
      dest.set(this.parameterSets, this.pos);
      this.pos += this.parameterSets.length;
    }
    try {
      forEachNalUnit(packet.data, this.lengthSize, this.hasAud ? this.copyNalAfterAud : this.copyNal);
    } catch (error) {
      throw malformedAccessUnit(packet, error);
    } finally {
      this.dest = NO_DESCRIPTORS;
    }
    return this.pos - offset;
  }
}

/** H.264 (stream_type 0x1B) with AUD `09 F0`. */
export class H264VideoFormat extends AnnexBVideoFormat {
  readonly streamType = StreamType.h264;
  constructor(track: TrackInfo) {
    super(track, H264NalUnitType.Aud, H264_AUD_NAL);
  }
  protected nalType(nal: Uint8Array): number {
    return nal[0]! & 0x1f;
  }
  protected isParameterSet(type: number): boolean {
    return type === H264NalUnitType.Sps || type === H264NalUnitType.Pps;
  }
}

/** H.265 (stream_type 0x24) with AUD `46 01 50`. */
export class H265VideoFormat extends AnnexBVideoFormat {
  readonly streamType = StreamType.h265;
  constructor(track: TrackInfo) {
    super(track, H265NalUnitType.Aud, H265_AUD_NAL);
  }
  protected nalType(nal: Uint8Array): number {
    return (nal[0]! >> 1) & 0x3f;
  }
  protected isParameterSet(type: number): boolean {
    return type === H265NalUnitType.Vps || type === H265NalUnitType.Sps || type === H265NalUnitType.Pps;
  }
}
