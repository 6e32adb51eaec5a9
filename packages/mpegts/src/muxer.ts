/**
 * TsMuxer: MediaPackets in, 188-byte MPEG-TS packets out, paced for live delivery.
 *
 * - PAT and PMT every `psiIntervalMs` of stream time and before every video keyframe.
 * - A PCR (on the video PID, or the first track's) at least every 2 × `pcrIntervalMs`,
 *   `pcrDelayMs` behind the stream clock (see `clock`), so it is never ahead of a PES's DTS. When stream
 *   time advances by more than that between two packets, PCR-only packets fill the gap.
 * - Whenever PAT/PMT is written, a PCR follows it at once.
 * - Continuity counters per PID, counted on payload packets only; discontinuity_indicator
 *   on the first packet of each PID and on the PCR after a timestamp jump;
 *   random_access_indicator on keyframes; last packets padded by adaptation-field stuffing.
 * - Timestamps: any non-negative integer in the track's timescale, even far past 2^33
 *   ticks at 90 kHz; they are written modulo 2^33 (arithmetic, no bit operators).
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { rescaleTimestamp, TS_TIMESCALE } from '@sluice/media';
import { PAT_PID, PCR_EXTENSION_FACTOR, TICKS_PER_MS, TS_PACKET_SIZE } from './constants.js';
import { TsMuxError } from './errors.js';
import { esFormatFor, type EsFormat } from './es-format.js';
import { MAX_PES_HEADER_SIZE, pesHeaderSize, writePesHeader } from './pes-header.js';
import { wrapPcr } from './timestamp.js';
import { buildPatPacket, buildPmtPacket, type ProgramDefinition } from './psi-writer.js';
import { TsOutput } from './ts-output.js';
import {
  PidState,
  packetsForPes,
  writePcrPacket,
  writePesPackets,
  writePsiPacket,
  type PesPacketFlags,
} from './ts-packet-writer.js';
import { resolveMuxerOptions, type ResolvedTsMuxerOptions, type TsMuxerOptions } from './muxer-options.js';

/** Where a track went in the transport stream. */
export interface TsTrackLayout {
  trackId: number;
  pid: number;
  streamType: number;
  streamId: number;
}

/** A track lagging the most advanced one by more than this (90 kHz) no longer holds the clock back. */
const STALLED_TRACK_LAG = 90_000;

/** A PES larger than this is refused (an access unit of 16 MiB is not a live stream). */
const MAX_PES_SIZE = 16 * 1024 * 1024;

class MuxTrack {
  readonly state: PidState;
  /** Gathered frames of a packable audio track: ES bytes from MAX_PES_HEADER_SIZE on. */
  pending: Uint8Array = new Uint8Array(0);
  pendingLength = 0;
  pendingPts = 0;
  pendingDts = 0;
  /** Largest DTS written on this track (90 kHz, unwrapped); NaN before its first packet. */
  lastDts = Number.NaN;
  constructor(
    readonly info: TrackInfo,
    readonly format: EsFormat,
    pid: number,
  ) {
    this.state = new PidState(pid);
  }
}

/** Muxes the packets of a fixed set of tracks into one MPEG-TS program. */
export class TsMuxer {
  /** PID, stream_type and stream_id of each track, in track order. */
  readonly layout: readonly TsTrackLayout[];
  /** PID carrying the PCR (the video track's, else the first track's). */
  readonly pcrPid: number;
  readonly pmtPid: number;

  private readonly options: ResolvedTsMuxerOptions;
  private readonly out: TsOutput;
  private readonly tracks = new Map<number, MuxTrack>();
  private readonly trackList: MuxTrack[] = [];
  private readonly hasVideo: boolean;
  private readonly pat: Uint8Array;
  private readonly pmt: Uint8Array;
  private readonly patState = new PidState(PAT_PID);
  private readonly pmtState: PidState;
  private readonly pcrState: PidState;
  private readonly flags: PesPacketFlags = { pcr: Number.NaN, randomAccess: false, discontinuity: false };
  private readonly pcrInterval: number;
  private readonly psiInterval: number;
  private readonly pcrDelay: number;
  private readonly maxJump: number;
  private readonly audioDelay: number;
  /**
   * Stream time (90 kHz, unwrapped; NaN before the first packet): the smallest latest-DTS
   * among the tracks that are not stalled (more than 1 s behind the most advanced one),
   * never decreasing. A packet's DTS is at least its track's latest DTS, so a PCR taken
   * from this clock is never ahead of any PES still to come, however tracks interleave.
   */
  private clock = Number.NaN;
  /** Largest DTS of any track. */
  private maxDts = Number.NaN;
  /** First DTS of the time base: tracks that have not started yet count as being there. */
  private startDts = Number.NaN;
  private lastPcrAt = Number.NaN;
  private lastPsiAt = Number.NaN;
  private pcrDiscontinuity = false;
  private closed = false;

  /** Creates a muxer for `tracks` (1..32 tracks; ids unique). Throws TsMuxError for bad tracks or options. */
  constructor(tracks: readonly TrackInfo[], options: TsMuxerOptions) {
    this.options = resolveMuxerOptions(options);
    const list: readonly TrackInfo[] = tracks;
    if (!Array.isArray(tracks) || tracks.length === 0) throw new TsMuxError('tracks must be a non-empty array');
    if (tracks.length > 32) throw new TsMuxError(`at most 32 tracks, got ${tracks.length}`);
    const o = this.options;
    if (o.firstPid + tracks.length - 1 > 0x1ffe)
      throw new TsMuxError(`firstPid ${o.firstPid} leaves no room for ${tracks.length} tracks`);
    if (o.pmtPid >= o.firstPid && o.pmtPid < o.firstPid + tracks.length)
      throw new TsMuxError(`pmtPid ${o.pmtPid} collides with a track PID`);
    list.forEach((info, i) => {
      if (!Number.isInteger(info.timescale) || info.timescale <= 0)
        throw new TsMuxError(`track ${info.id}: timescale must be a positive integer, got ${info.timescale}`);
      if (this.tracks.has(info.id)) throw new TsMuxError(`duplicate track id ${info.id}`);
      const t = new MuxTrack(info, esFormatFor(info), o.firstPid + i);
      this.tracks.set(info.id, t);
      this.trackList.push(t);
    });
    const video = this.trackList.find((t) => t.format.isVideo);
    this.hasVideo = video !== undefined;
    const pcrTrack = video ?? this.trackList[0]!;
    this.pcrPid = pcrTrack.state.pid;
    this.pcrState = pcrTrack.state;
    this.pmtPid = o.pmtPid;
    this.pmtState = new PidState(o.pmtPid);
    this.layout = this.trackList.map((t) => ({
      trackId: t.info.id,
      pid: t.state.pid,
      streamType: t.format.streamType,
      streamId: t.format.streamId,
    }));
    const def: ProgramDefinition = {
      transportStreamId: o.transportStreamId,
      programNumber: o.programNumber,
      pmtPid: o.pmtPid,
      pcrPid: this.pcrPid,
      version: 0,
      streams: this.trackList.map((t) => ({
        streamType: t.format.streamType,
        pid: t.state.pid,
        descriptors: t.format.descriptors,
      })),
    };
    this.pat = buildPatPacket(def);
    this.pmt = buildPmtPacket(def);
    this.pcrInterval = o.pcrIntervalMs * TICKS_PER_MS;
    this.psiInterval = o.psiIntervalMs * TICKS_PER_MS;
    this.pcrDelay = o.pcrDelayMs * TICKS_PER_MS;
    this.maxJump = o.maxTimestampJumpMs * TICKS_PER_MS;
    this.audioDelay = o.audioPesMaxDelayMs * TICKS_PER_MS;
    this.out = new TsOutput(o.output, o.slabSize, o.onData, o.allocate);
  }

  /**
   * The stream clock (90 kHz, unwrapped) the latest PCR was taken from plus `pcrDelayMs`:
   * where the output stands in stream time. NaN before the first packet and again after
   * a timestamp jump until the next packet. Pacers map it to wall-clock time.
   */
  get streamClock(): number {
    return this.clock;
  }

  /**
   * Muxes one packet (decode order per track) and hands the resulting packets to onData
   * before returning (gathered audio may come later). Throws TsMuxError for an unknown
   * track, a timestamp that is not a non-negative integer, or a malformed payload.
   */
  write(packet: MediaPacket): void {
    if (this.closed) throw new TsMuxError('write after end()');
    const track = this.tracks.get(packet.trackId);
    if (track === undefined) throw new TsMuxError(`unknown track id ${packet.trackId}`);
    const { dts: rawDts, pts: rawPts } = packet;
    if (!Number.isSafeInteger(rawDts) || rawDts < 0)
      throw new TsMuxError(`track ${packet.trackId}: dts must be a non-negative integer, got ${rawDts}`);
    if (!Number.isSafeInteger(rawPts) || rawPts < 0)
      throw new TsMuxError(`track ${packet.trackId}: pts must be a non-negative integer, got ${rawPts}`);
    const ts = track.info.timescale;
    const dts = ts === TS_TIMESCALE ? rawDts : rescaleTimestamp(rawDts, ts, TS_TIMESCALE);
    const pts = ts === TS_TIMESCALE ? rawPts : rescaleTimestamp(rawPts, ts, TS_TIMESCALE);
    const format = track.format;
    const size = format.size(packet);
    if (size > MAX_PES_SIZE)
      throw new TsMuxError(`track ${packet.trackId}: packet of ${packet.data.length} bytes is too large`);

    this.checkJump(track, dts);
    const keyframe = format.isVideo && packet.key;
    if (keyframe) this.flushAllAudio();
    if (!(dts <= track.lastDts)) track.lastDts = dts;
    if (!(dts <= this.maxDts)) this.maxDts = dts;
    if (Number.isNaN(this.startDts)) this.startDts = dts;
    this.advance(this.trackClock(), keyframe, track.state === this.pcrState);

    if (format.packable && this.audioDelay > 0) this.gather(track, packet, pts, dts, size);
    else this.writePacketPes(track, packet, size, pts, dts, keyframe);
    this.out.emit();
  }

  /** Writes gathered audio now and hands out everything pending. */
  flush(): void {
    this.flushAllAudio();
    this.out.emit();
  }

  /** Flushes; further writes throw. */
  end(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }

  /** A DTS far from its track's previous one (or, for a track's first packet, from the clock) starts a new time base. */
  private checkJump(track: MuxTrack, dts: number): void {
    const ref = Number.isNaN(track.lastDts) ? this.clock : track.lastDts;
    if (Number.isNaN(ref)) return;
    if (dts - ref > this.maxJump || ref - dts > this.maxJump) {
      this.flushAllAudio();
      for (const t of this.trackList) t.lastDts = Number.NaN;
      this.clock = Number.NaN;
      this.maxDts = Number.NaN;
      this.startDts = Number.NaN;
      this.lastPcrAt = Number.NaN;
      this.lastPsiAt = Number.NaN;
      this.pcrDiscontinuity = true;
    }
  }

  /** The smallest latest-DTS among tracks within 1 s of the most advanced (a track not started yet counts as at the first DTS). */
  private trackClock(): number {
    const floor = this.maxDts - STALLED_TRACK_LAG;
    let min = this.maxDts;
    for (const t of this.trackList) {
      const at = Number.isNaN(t.lastDts) ? this.startDts : t.lastDts;
      if (at >= floor && at < min) min = at;
    }
    return min;
  }

  /**
   * Moves stream time to `dts` (never backwards), writing the PCR-only packets and
   * PAT/PMT repetitions that fall due on the way, then PAT/PMT for this packet when due
   * (always for a keyframe). Leaves `flags.pcr` set when this packet's PES must carry
   * (or be preceded by) a PCR: after pcrInterval on the PCR PID (the PCR rides in the
   * PES), after 1.5 × pcrInterval on other PIDs (a PCR-only packet; the catch-up above
   * still bounds every gap by 2 × pcrInterval).
   */
  private advance(dts: number, keyframe: boolean, onPcrPid: boolean): void {
    const target = Number.isNaN(this.clock) || dts > this.clock ? dts : this.clock;
    if (!Number.isNaN(this.lastPcrAt)) {
      // PCR-only packets (and due PSI) every pcrInterval while the gap exceeds 2 × pcrInterval
      while (target - this.lastPcrAt > 2 * this.pcrInterval) {
        const step = this.lastPcrAt + this.pcrInterval;
        this.clock = step;
        if (step - this.lastPsiAt >= this.psiInterval) this.writePsi(false);
        this.writePcrOnly(step);
      }
    }
    this.clock = target;
    const psiDue = keyframe || Number.isNaN(this.lastPsiAt) || target - this.lastPsiAt >= this.psiInterval;
    if (psiDue) this.writePsi(keyframe);
    const pcrDue =
      psiDue ||
      Number.isNaN(this.lastPcrAt) ||
      target - this.lastPcrAt >= (onPcrPid ? this.pcrInterval : 1.5 * this.pcrInterval);
    this.flags.pcr = pcrDue ? target : Number.NaN;
  }

  private writePsi(keyframe: boolean): void {
    this.out.ensure(3 * TS_PACKET_SIZE);
    // a receiver may join here: with video only at keyframes, else at any PAT
    if (keyframe || !this.hasVideo) this.out.beginChunk(true);
    writePsiPacket(this.out, this.pat, this.patState);
    writePsiPacket(this.out, this.pmt, this.pmtState);
    this.lastPsiAt = this.clock;
  }

  /** The PCR (27 MHz, in [0, 2^33 × 300)) for stream time `at`: pcrDelay behind, wrapped. */
  private pcrValue(at: number): number {
    return wrapPcr((at - this.pcrDelay) * PCR_EXTENSION_FACTOR);
  }

  private writePcrOnly(at: number): void {
    writePcrPacket(this.out, this.pcrState, this.pcrValue(at), this.pcrDiscontinuity);
    this.pcrDiscontinuity = false;
    this.lastPcrAt = at;
  }

  /**
   * Settles the first packet's flags of a PES of `track`: the PCR due (on this PID, or
   * first as a PCR-only packet on the PCR PID), the discontinuity after a jump, the
   * random access flag. Returns the adaptation field bytes the first packet needs.
   */
  private firstPacketFlags(track: MuxTrack, randomAccess: boolean): number {
    const flags = this.flags;
    if (flags.pcr >= 0) {
      if (track.state !== this.pcrState) {
        this.writePcrOnly(flags.pcr);
        flags.pcr = Number.NaN;
      } else {
        this.lastPcrAt = flags.pcr;
        flags.pcr = this.pcrValue(flags.pcr);
        flags.discontinuity = this.pcrDiscontinuity;
        this.pcrDiscontinuity = false;
      }
    }
    flags.randomAccess = randomAccess;
    const hasPcr = flags.pcr >= 0;
    // the same rule as writePesPackets: adaptation_field_length + flags (+ PCR)
    return flags.discontinuity || track.state.first || hasPcr || randomAccess ? 2 + (hasPcr ? 6 : 0) : 0;
  }

  private clearFlags(): void {
    this.flags.pcr = Number.NaN;
    this.flags.discontinuity = false;
    this.flags.randomAccess = false;
  }

  /**
   * Writes one packet's PES straight into the output: the PES (header + payload) is laid
   * out at the end of the space its transport packets will take, then the packets are
   * written forward over it — one copy of the payload, no scratch buffer.
   */
  private writePacketPes(
    track: MuxTrack,
    packet: MediaPacket,
    size: number,
    pts: number,
    dts: number,
    randomAccess: boolean,
  ): void {
    const af = this.firstPacketFlags(track, randomAccess);
    const headerSize = pesHeaderSize(pts, dts);
    const total = headerSize + size;
    const room = packetsForPes(total, af) * TS_PACKET_SIZE;
    const out = this.out;
    out.ensure(room);
    const buf = out.buf;
    const start = out.pos + room - total;
    const written = track.format.write(packet, buf, start + headerSize);
    if (written !== size)
      throw new TsMuxError(`track ${packet.trackId}: payload of ${written} bytes, ${size} announced`);
    writePesHeader(buf, start, track.format.streamId, pts, dts, size, track.format.isVideo);
    writePesPackets(out, track.state, buf, start, start + total, this.flags);
    this.clearFlags();
  }

  /** Writes a PES whose payload is in `buf` from MAX_PES_HEADER_SIZE (gathered audio). */
  private writeBufferPes(track: MuxTrack, buf: Uint8Array, payloadLength: number, pts: number, dts: number): void {
    const af = this.firstPacketFlags(track, false);
    const headerSize = pesHeaderSize(pts, dts);
    const start = MAX_PES_HEADER_SIZE - headerSize;
    writePesHeader(buf, start, track.format.streamId, pts, dts, payloadLength, track.format.isVideo);
    const total = headerSize + payloadLength;
    this.out.ensure(packetsForPes(total, af) * TS_PACKET_SIZE);
    writePesPackets(this.out, track.state, buf, start, start + total, this.flags);
    this.clearFlags();
  }

  /** Adds an audio frame to the track's pending PES, writing the pending one first when it is old or full. */
  private gather(track: MuxTrack, packet: MediaPacket, pts: number, dts: number, size: number): void {
    if (
      track.pendingLength > 0 &&
      (dts - track.pendingDts >= this.audioDelay || track.pendingLength + size > 0xffff - 32)
    )
      this.flushAudio(track);
    if (track.pendingLength === 0) {
      track.pendingPts = pts;
      track.pendingDts = dts;
    }
    const need = MAX_PES_HEADER_SIZE + track.pendingLength + size;
    if (track.pending.length < need) {
      const grown = new Uint8Array(Math.max(need, 2 * track.pending.length, 4096));
      grown.set(track.pending.subarray(0, MAX_PES_HEADER_SIZE + track.pendingLength));
      track.pending = grown;
    }
    track.pendingLength += track.format.write(packet, track.pending, MAX_PES_HEADER_SIZE + track.pendingLength);
    // a PCR due now goes out on its own so it is not delayed with the audio
    if (this.flags.pcr >= 0) {
      this.writePcrOnly(this.flags.pcr);
      this.flags.pcr = Number.NaN;
    }
  }

  private flushAudio(track: MuxTrack): void {
    if (track.pendingLength === 0) return;
    const len = track.pendingLength;
    track.pendingLength = 0;
    const savedPcr = this.flags.pcr;
    this.flags.pcr = Number.NaN;
    this.writeBufferPes(track, track.pending, len, track.pendingPts, track.pendingDts);
    this.flags.pcr = savedPcr;
  }

  private flushAllAudio(): void {
    if (this.audioDelay === 0) return;
    for (const t of this.trackList) this.flushAudio(t);
  }
}
