/**
 * TsDemuxer: an incremental MPEG-TS demuxer. Bytes in any chunking → tracks and
 * MediaPackets of the Sluice model (timestamps in 90 kHz, unwrapped past 2^33 to a
 * monotonic timeline). Follows one program (the first of the PAT unless told).
 *
 * Bad input never escapes as anything but TsDemuxError. In the default (lenient) mode
 * problems are counted in `stats`, reported to `onError` and skipped: sync is regained,
 * a PES hit by a continuity error is dropped, a bad section is ignored. In strict mode
 * the first problem is thrown from push()/end() (the demuxer stays usable).
 * Memory is bounded: sections ≤ 4 KiB, PES ≤ `maxPesSize`, held packets ≤ 1000.
 * The PAT/PMT are followed by ProgramTables; tracks are announced by TrackAnnouncer.
 * The demuxer copies what it keeps: a pushed chunk may be reused once push() returns.
 *
 * Video (the first video PID) is assembled in a slab that is never rewritten below what
 * was handed out: its access units are converted to AVCC in place there and emitted as
 * views of the slab (no copy, no allocation per access unit); a full slab is replaced by
 * a new one. Two ways in: push(chunk) copies each TS payload into the PES being
 * assembled; or the caller reads straight into inputBuffer() (which lies in the slab,
 * after the PES being assembled) and calls commit(): the video payloads are then moved
 * down inside the slab, one memmove per packet and no view allocated.
 */
import { PCR_EXTENSION_FACTOR, TS_PACKET_SIZE, TS_PAYLOAD_SIZE } from './constants.js';
import { resolveDemuxerOptions, type TsDemuxerOptions } from './demuxer-options.js';
import { TsDemuxError } from './errors.js';
import { PcrTiming } from './pcr-timing.js';
import { VideoEsReader, type EsReader, type PacketSink } from './es-reader.js';
import { readerForStream } from './es-reader-for-stream.js';
import { parsePesHeader, type ParsedPesHeader } from './pes-header.js';
import { ProgramTables } from './program-tables.js';
import type { PmtEntry, SectionAssembler } from './psi-reader.js';
import { emptyStreamStats, type TsStreamStats } from './stream-stats.js';
import { TimestampUnwrapper, readPcrField, timestampDelta } from './timestamp.js';
import { TrackAnnouncer } from './track-announcer.js';
import { TsPacketReader } from './ts-packet-reader.js';
import { allocateBytes, plainView } from './alloc.js';

export type { TsDemuxerOptions } from './demuxer-options.js';

interface EsPid {
  reader: EsReader;
  /** Reused for video (the reader copies), fresh per PES for audio (packets are views of it). */
  buf: Uint8Array;
  /** True for the PID whose PES is assembled in the input slab (buf is the slab). */
  inSlab: boolean;
  /** Offset of the PES in buf (0 except in the slab). */
  start: number;
  length: number;
  /** Expected total PES size from PES_packet_length, 0 when unbounded. */
  expected: number;
  active: boolean;
  randomAccess: boolean;
  reuse: boolean;
  /** Last PCR (27 MHz) when this PES began, NaN for none. */
  pcrAtStart: number;
}

/**
 * Bytes kept free between the end of the in-slab PES and the read region. The packet
 * reader completes a packet split across reads in its own carry (at most 3 packets), and
 * the payloads of those packets are appended to the PES before the read region is
 * scanned: they must land in front of it.
 */
const INPUT_MARGIN = 3 * TS_PACKET_SIZE;

/** Largest inputBuffer() request. */
const MAX_INPUT_REQUEST = 16 * 1024 * 1024;

/** Smallest slab: with push() it only holds video access units (views of it are handed out). */
const MIN_SLAB_SIZE = 256 * 1024;

/** Incremental MPEG-TS demuxer. */
export class TsDemuxer {
  /** Counters and timing figures so far (the analyzer reads these). */
  readonly stats: TsStreamStats = emptyStreamStats();
  private readonly reader: TsPacketReader;
  private readonly strict: boolean;
  private readonly maxPesSize: number;
  private readonly transient: boolean;
  private readonly onErrorCb: ((error: TsDemuxError) => void) | undefined;
  private readonly lastCc = new Int8Array(8192).fill(-1);
  private readonly es = new Map<number, EsPid>();
  /** Per-PID lookup for the packet path (the map above is for iteration). */
  private readonly esByPid: Array<EsPid | undefined> = new Array<EsPid | undefined>(8192).fill(undefined);
  /** The PAT and PMT: the program followed and its streams. */
  private readonly psi: ProgramTables;
  /** The PSI PIDs' section assemblers (the tables' own lookup, held here for the packet path). */
  private readonly sectionByPid: ReadonlyArray<SectionAssembler | undefined>;
  private pcrPid = -1;
  /** The tracks of the current streams, and the packets held until they are announced. */
  private readonly announcer: TrackAnnouncer;
  private readonly unwrapper = new TimestampUnwrapper();
  private readonly pes: ParsedPesHeader = { streamId: 0, packetLength: 0, pts: -1, dts: -1, payloadOffset: 0 };
  private readonly timing = new PcrTiming(this.stats);
  private firstError: TsDemuxError | undefined;
  private readonly emit: PacketSink = (packet) => {
    this.stats.mediaPackets++;
    this.announcer.deliver(packet);
  };
  /** Input slab: handed-out access units below slabFloor, the PES being assembled, INPUT_MARGIN, the read region. */
  private slab: Uint8Array = new Uint8Array(0);
  /** Bytes of the slab below this offset may be held by receivers (views): never written again. */
  private slabFloor = 0;
  /** The EsPid assembled in the slab (the first video PID), if any, and its PID (-1: none). */
  private slabPes: EsPid | undefined;
  private slabPid = -1;
  /** Start of the read region handed out by inputBuffer(), -1 when none is outstanding. */
  private inputStart = -1;

  constructor(options: TsDemuxerOptions) {
    const resolved = resolveDemuxerOptions(options);
    this.maxPesSize = resolved.maxPesSize;
    this.strict = resolved.strict;
    this.transient = resolved.transient;
    this.announcer = new TrackAnnouncer(
      options.onTracks,
      options.onPacket,
      (t) => this.es.get(t.id)?.reader.ready ?? true,
    );
    this.onErrorCb = options.onError;
    this.reader = new TsPacketReader(
      (buf, offset) => this.onTsPacket(buf, offset),
      (skipped, at) => {
        this.stats.syncLosses++;
        this.stats.syncLossBytes += skipped;
        this.problem(new TsDemuxError('sync', `skipped ${skipped} bytes to regain sync at byte ${at}`, undefined, at));
      },
      (buf, start, end) => this.onTsPackets(buf, start, end),
    );
    this.psi = new ProgramTables(
      this.stats,
      this.timing,
      options.programNumber,
      (pmt) => {
        this.pcrPid = pmt.pcrPid;
        this.setUpStreams(pmt.streams);
      },
      (error) => this.problem(error),
    );
    this.sectionByPid = this.psi.sectionByPid;
  }

  /** Feeds the next bytes of the stream (any chunking). Strict mode: throws the first TsDemuxError met. */
  push(chunk: Uint8Array): void {
    this.inputStart = -1;
    this.reader.push(plainView(chunk));
    this.raise();
  }

  /**
   * Zero-copy input: a buffer of at least `minBytes` (default 65536; 188..16777216) to
   * fill with the next bytes of the stream, e.g. `readSync(fd, buf)`, then hand over with
   * commit(). The buffer belongs to the demuxer: it is valid until the next call.
   */
  inputBuffer(minBytes = 65536): Uint8Array {
    if (!Number.isInteger(minBytes) || minBytes < TS_PACKET_SIZE || minBytes > MAX_INPUT_REQUEST) {
      throw new RangeError(`minBytes must be an integer in ${TS_PACKET_SIZE}..${MAX_INPUT_REQUEST}, got ${minBytes}`);
    }
    const st = this.slabPes;
    const active = st !== undefined && st.active;
    let from = (active ? st.start + st.length : this.slabFloor) + INPUT_MARGIN;
    if (this.slab.length - from < minBytes) {
      // a new slab (one allocation per few reads, none per packet): room for 4 requests
      const used = active ? st.length : 0;
      this.newSlab(Math.max(MIN_SLAB_SIZE, used + INPUT_MARGIN + 4 * minBytes));
      from = used + INPUT_MARGIN;
    }
    this.inputStart = from;
    return this.slab.subarray(from);
  }

  /** Demuxes the first `bytes` bytes written into the last inputBuffer(). Strict mode: throws the first TsDemuxError met. */
  commit(bytes: number): void {
    const start = this.inputStart;
    if (start < 0) throw new Error('commit() needs an inputBuffer() first (push() and end() discard it)');
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > this.slab.length - start) {
      throw new RangeError(`bytes must be an integer in 0..${this.slab.length - start}, got ${bytes}`);
    }
    this.inputStart = -1;
    this.reader.push(this.slab, start, start + bytes);
    this.raise();
  }

  /** Replaces the slab (the old one stays with the views handed out), moving the PES being assembled to its start. */
  private newSlab(size: number): void {
    const slab = allocateBytes(size);
    const st = this.slabPes;
    if (st !== undefined) {
      if (st.active) slab.set(this.slab.subarray(st.start, st.start + st.length));
      st.buf = slab;
      st.start = 0;
    }
    this.slab = slab;
    this.slabFloor = 0;
  }

  /** End of stream: completes pending PES packets and announces tracks still held back. */
  end(): void {
    this.inputStart = -1;
    this.reader.end();
    for (const [pid, st] of this.es) if (st.active) this.finishPes(pid, st);
    if (!this.announcer.announced && this.announcer.tracks.length > 0) this.announcer.announce();
    this.raise();
  }

  private raise(): void {
    const e = this.firstError;
    if (e !== undefined) {
      this.firstError = undefined;
      throw e;
    }
  }

  private problem(error: TsDemuxError): void {
    if (this.strict) {
      this.firstError ??= error;
    } else {
      this.onErrorCb?.(error);
    }
  }

  /** A run of packets in sync; the common packet (see continueInSlab) is taken in the loop. */
  private onTsPackets(b: Uint8Array, start: number, end: number): void {
    for (let o = start; o < end; o += TS_PACKET_SIZE) {
      const b1 = b[o + 1]!;
      if ((((b1 & 0x1f) << 8) | b[o + 2]!) === this.slabPid && this.continueInSlab(b, o, b1)) this.stats.packets++;
      else this.onTsPacket(b, o);
    }
  }

  private onTsPacket(b: Uint8Array, o: number): void {
    const stats = this.stats;
    stats.packets++;
    const b1 = b[o + 1]!;
    const pid = ((b1 & 0x1f) << 8) | b[o + 2]!;
    if (pid === this.slabPid && this.continueInSlab(b, o, b1)) return;
    if (b1 & 0x80) {
      stats.transportErrors++;
      this.problem(new TsDemuxError('transport-error', `transport_error_indicator set on PID ${pid}`, pid));
      return;
    }
    const unitStart = (b1 & 0x40) !== 0;
    const b3 = b[o + 3]!;
    const afc = (b3 >> 4) & 3;
    const cc = b3 & 0x0f;
    let p = o + 4;
    let discontinuity = false;
    let randomAccess = false;
    if (afc & 2) {
      const afLength = b[p]!;
      if (afLength > 0) {
        if (afLength > 183 || (afc === 3 && afLength > 182)) {
          this.problem(new TsDemuxError('pes', `adaptation_field_length ${afLength} too large on PID ${pid}`, pid));
          return;
        }
        const flags = b[p + 1]!;
        discontinuity = (flags & 0x80) !== 0;
        randomAccess = (flags & 0x40) !== 0;
        if (flags & 0x10 && afLength >= 7 && pid === this.pcrPid)
          this.timing.onPcr(readPcrField(b, p + 2), discontinuity);
      }
      p += 1 + afLength;
    }
    const hasPayload = (afc & 1) !== 0;
    if (pid === 0x1fff) return; // null packets
    // continuity_counter: counted on payload packets; one duplicate allowed
    const last = this.lastCc[pid]!;
    if (hasPayload) {
      this.lastCc[pid] = cc;
      if (last >= 0 && !discontinuity) {
        if (cc === last) return; // duplicate packet
        if (cc !== ((last + 1) & 0x0f)) {
          stats.continuityErrors++;
          this.problem(new TsDemuxError('continuity', `continuity_counter ${cc} after ${last} on PID ${pid}`, pid));
          this.onLoss(pid);
        }
      }
    }
    if (!hasPayload || p >= o + TS_PACKET_SIZE) return;
    const end = o + TS_PACKET_SIZE;
    const section = this.sectionByPid[pid];
    if (section !== undefined) {
      this.psi.push(section, b, p, end, unitStart);
      return;
    }
    const es = this.esByPid[pid];
    if (es !== undefined) this.onEsPayload(pid, es, b, p, end, unitStart, randomAccess);
  }

  /**
   * The common case, short-cut: a payload-only packet continuing the PES being assembled
   * in the slab, read in place, with the next continuity_counter. Does what the general
   * path would; returns false (having done nothing) for anything else.
   */
  private continueInSlab(b: Uint8Array, o: number, b1: number): boolean {
    const st = this.slabPes!;
    const b3 = b[o + 3]!;
    // transport_error_indicator=0, payload_unit_start_indicator=0; adaptation_field_control=01
    if ((b1 & 0xc0) !== 0 || (b3 & 0x30) !== 0x10 || b !== st.buf || !st.active || st.expected !== 0) return false;
    const cc = b3 & 0x0f;
    const pid = this.slabPid;
    if (cc !== ((this.lastCc[pid]! + 1) & 0x0f) || st.length + TS_PAYLOAD_SIZE > this.maxPesSize) return false;
    this.lastCc[pid] = cc;
    b.copyWithin(st.start + st.length, o + 4, o + TS_PACKET_SIZE);
    st.length += TS_PAYLOAD_SIZE;
    return true;
  }

  /** A continuity error: the partial PES or section of the PID is lost. */
  private onLoss(pid: number): void {
    this.psi.onLoss(pid);
    const es = this.es.get(pid);
    if (es !== undefined && es.active) {
      es.active = false;
      this.stats.pesErrors++;
    }
  }

  private setUpStreams(streams: PmtEntry[]): void {
    for (const [pid, st] of this.es) if (st.active) this.finishPes(pid, st);
    for (const pid of this.es.keys()) this.esByPid[pid] = undefined;
    this.es.clear();
    this.announcer.reset();
    this.slabPes = undefined;
    this.slabPid = -1;
    for (const s of streams) {
      if (this.psi.isSectionPid(s.pid)) continue;
      const reader = readerForStream(s);
      if (reader === undefined) continue;
      this.announcer.tracks.push(reader.track);
      const video = reader.track.kind === 'video';
      const inSlab = this.slabPes === undefined && reader instanceof VideoEsReader;
      const buf = inSlab ? this.slab : new Uint8Array(video ? 65536 : 0);
      const st: EsPid = {
        reader,
        buf,
        inSlab,
        start: inSlab ? this.slabFloor : 0,
        length: 0,
        expected: 0,
        active: false,
        randomAccess: false,
        reuse: video,
        pcrAtStart: Number.NaN,
      };
      if (inSlab) {
        this.slabPes = st;
        this.slabPid = s.pid;
      }
      this.es.set(s.pid, st);
      this.esByPid[s.pid] = st;
    }
  }

  private onEsPayload(
    pid: number,
    st: EsPid,
    b: Uint8Array,
    p: number,
    end: number,
    unitStart: boolean,
    randomAccess: boolean,
  ): void {
    if (unitStart) {
      if (st.active) this.finishPes(pid, st);
      st.active = true;
      st.start = st.inSlab ? this.slabFloor : 0;
      st.length = 0;
      st.randomAccess = randomAccess;
      st.pcrAtStart = this.timing.lastPcr;
      // PES_packet_length (bytes 4..5 of the PES header) when it is in this packet
      const declared = end - p >= 6 ? (b[p + 4]! << 8) | b[p + 5]! : 0;
      st.expected = declared > 0 ? declared + 6 : 0;
      if (!st.reuse) st.buf = allocateBytes(st.expected > 0 ? st.expected : 4096);
    } else if (!st.active) {
      return; // joined mid-PES, or after a loss: wait for the next unit start
    }
    const n = end - p;
    if (st.length + n > this.maxPesSize) {
      st.active = false;
      this.stats.pesErrors++;
      this.problem(new TsDemuxError('too-large', `PES on PID ${pid} exceeds ${this.maxPesSize} bytes`, pid));
      return;
    }
    const at = st.start + st.length;
    if (at + n > st.buf.length) {
      if (st.inSlab) {
        this.newSlab(Math.max(MIN_SLAB_SIZE, 2 * (st.length + n)));
      } else {
        const grown = allocateBytes(Math.min(this.maxPesSize, Math.max(st.length + n, st.buf.length * 2)));
        grown.set(st.buf.subarray(0, st.length));
        st.buf = grown;
      }
    }
    // from the input slab into the PES being assembled there: a memmove (the PES never
    // overtakes the read position, see INPUT_MARGIN) without a view; else a copy
    if (b === st.buf) st.buf.copyWithin(st.start + st.length, p, end);
    else st.buf.set(b.subarray(p, end), st.start + st.length);
    st.length += n;
    if (st.expected > 0 && st.length >= st.expected) this.finishPes(pid, st);
  }

  private finishPes(pid: number, st: EsPid): void {
    st.active = false;
    const h = this.pes;
    const length = st.expected > 0 ? Math.min(st.length, st.expected) : st.length;
    if (!parsePesHeader(st.buf, length, h, st.start)) {
      this.stats.pesErrors++;
      this.problem(new TsDemuxError('pes', `malformed PES header on PID ${pid}`, pid));
      return;
    }
    if (st.expected > 0 && st.length < st.expected) {
      this.stats.pesErrors++;
      this.problem(new TsDemuxError('pes', `PES on PID ${pid} truncated: ${st.length} of ${st.expected} bytes`, pid));
      return;
    }
    if (h.pts < 0) {
      this.stats.pesErrors++;
      this.problem(new TsDemuxError('pes', `PES without PTS on PID ${pid}`, pid));
      return;
    }
    this.stats.pesCount++;
    const dts33 = h.dts >= 0 ? h.dts : h.pts;
    if (st.pcrAtStart >= 0 && timestampDelta(Math.floor(st.pcrAtStart / PCR_EXTENSION_FACTOR), dts33) < 0)
      this.stats.pcrAheadOfDts++;
    const dts = this.unwrapper.unwrap(dts33);
    const pts = dts + timestampDelta(dts33, h.pts);
    try {
      if (st.inSlab) {
        // the PES's bytes are never rewritten (views of them are handed out): the floor moves past them
        const pesStart = st.start;
        this.slabFloor = pesStart + st.length;
        (st.reader as VideoEsReader).readInPlace(
          st.buf,
          pesStart,
          pesStart + h.payloadOffset,
          pesStart + length,
          pts,
          dts,
          this.emit,
        );
        // transient: once delivered (not held until the tracks are announced), the bytes are free again
        if (this.transient && this.announcer.announced && st.buf === this.slab) this.slabFloor = pesStart;
      } else {
        st.reader.read(st.buf.subarray(h.payloadOffset, length), pts, dts, st.randomAccess, this.emit);
      }
    } catch (error) {
      if (!(error instanceof TsDemuxError)) throw error;
      this.stats.esErrors++;
      this.problem(error);
    }
  }
}
