/**
 * TsPacer: one clock for every MPEG-TS push. A single timer ticks every `tickMs` (4 ms)
 * while any push is attached; each tick hands every push the datagrams that fell due,
 * in one batch per push. No timer and no closure per datagram or per push.
 *
 * A TsOutlet is one push's reader of a TsStreamOutput: a cursor into its datagram log and
 * a token bucket. Paced (UDP): a datagram leaves when it is due (less `leadMs`) and the
 * bucket holds its bytes; the bucket fills at the burst rate (`bitrate`, else
 * `burstFactor` × the stream's measured bit rate, at least `minBitrate`) and holds at most
 * `burstBits` (at least two datagrams), so the GOP sent at start and every ingest burst
 * (a keyframe that arrived at once) go out at that bounded rate and the push reaches live
 * within GOP / (burst rate - stream rate). Unpaced (TCP): all available datagrams go out
 * on each tick (TCP's flow control keeps receivers from losing anything; pacing would only
 * add latency). Either way a push that falls more than `maxLagMs` behind (a slow TCP peer,
 * a bit rate below the stream's) skips to the latest random-access point (the bytes skipped
 * are counted).
 */
import type { TsStreamOutput } from './ts-stream-output.js';

/** Where an outlet's datagrams go (UdpTsSender, TcpTsSender). */
export interface TsDatagramSender {
  /** Sends one datagram (whole 188-byte packets, never rewritten); false when the queue is full (nothing sent). */
  sendDatagram(datagram: Uint8Array): boolean;
  /** Optional: groups the sends of one tick (TCP: one writev). */
  cork?(): void;
  uncork?(): void;
}

/** Pacing of one push: the `udp://` URL's `bitrate` / `burst_bits` (ffmpeg's names) or defaults. */
export interface TsPacing {
  /** false: send as soon as datagrams are available (TCP). Default true. */
  paced?: boolean;
  /** Burst (sending) rate ceiling, bit/s. Default: burstFactor × the stream's measured rate. */
  bitrate?: number | undefined;
  /** Token bucket size, bits: the most sent back to back above the rate. Default: two datagrams. */
  burstBits?: number | undefined;
  /** Burst rate as a multiple of the stream's bit rate when `bitrate` is not set. Default 2.5. */
  burstFactor?: number;
  /** Lowest burst rate, bit/s (before the stream's rate is known, and for thin streams). Default 2 Mbit/s. */
  minBitrate?: number;
  /** A datagram may leave this long before it is due, ms. Default 5. */
  leadMs?: number;
  /** Behind by more than this (ms), the push skips to the latest random-access point. Default 5000. */
  maxLagMs?: number;
}

/** Defaults of TsPacing. */
export const DEFAULT_BURST_FACTOR = 2.5;
const DEFAULT_MIN_BITRATE = 2_000_000;
/** Token refill is capped at this much elapsed time (a late tick does not become one huge burst). */
const MAX_REFILL_MS = 20;

/** One push's position in a TsStreamOutput and its pacing state. */
export class TsOutlet {
  /** Next datagram to send (a sequence number of the output). */
  cursor: number;
  /** Bytes handed to the socket. */
  bytesSent = 0;
  /** Datagrams handed to the socket. */
  datagramsSent = 0;
  /** Bytes skipped because the push fell behind. */
  skippedBytes = 0;
  private tokens: number;
  private lastPump = Number.NaN;
  private readonly paced: boolean;
  private readonly fixedRate: number;
  private readonly bucket: number;
  private readonly factor: number;
  private readonly minRate: number;
  private readonly lead: number;
  private readonly maxLag: number;

  /** Starts at the output's latest random-access point (the current GOP), else at the next one. */
  constructor(
    readonly output: TsStreamOutput,
    readonly sender: TsDatagramSender,
    pacing: TsPacing = {},
  ) {
    this.paced = pacing.paced ?? true;
    this.fixedRate = pacing.bitrate === undefined ? Number.NaN : pacing.bitrate / 8000;
    this.bucket = Math.max(2 * output.packetSize, (pacing.burstBits ?? 0) / 8);
    this.factor = pacing.burstFactor ?? DEFAULT_BURST_FACTOR;
    this.minRate = (pacing.minBitrate ?? DEFAULT_MIN_BITRATE) / 8000;
    this.lead = pacing.leadMs ?? 5;
    this.maxLag = pacing.maxLagMs ?? 5000;
    this.tokens = this.bucket;
    this.cursor = output.lastRandomAccess >= output.head ? output.lastRandomAccess : output.end;
    output.retain(this);
  }

  /** Sending rate now, bytes per ms. */
  rate(): number {
    if (!Number.isNaN(this.fixedRate)) return this.fixedRate;
    const measured = this.output.bytesPerMs * this.factor;
    return measured > this.minRate ? measured : this.minRate;
  }

  /** Sends what is due at `now` (ms, the output's clock). */
  pump(now: number): void {
    const out = this.output;
    if (this.cursor < out.head) this.cursor = out.head; // lost its place in an overfull log
    if (!this.started()) return;
    if (this.cursor >= out.end) {
      this.lastPump = now;
      return;
    }
    if (out.dueTime(this.cursor) < now - this.maxLag) this.skipToLive();
    const paced = this.paced;
    let tokens = 0;
    if (paced) {
      const rate = this.rate();
      const elapsed = Number.isNaN(this.lastPump) ? 0 : Math.min(now - this.lastPump, MAX_REFILL_MS);
      const cap = Math.max(this.bucket, rate * elapsed);
      tokens = Math.min(cap, this.tokens + rate * elapsed);
    }
    this.lastPump = now;
    const horizon = now + this.lead;
    const sender = this.sender;
    sender.cork?.();
    let cursor = this.cursor;
    while (cursor < out.end) {
      if (paced && (tokens <= 0 || out.dueTime(cursor) > horizon)) break;
      const d = out.datagram(cursor);
      if (!sender.sendDatagram(d)) break;
      cursor++;
      tokens -= d.length;
      this.bytesSent += d.length;
      this.datagramsSent++;
    }
    this.cursor = cursor;
    sender.uncork?.();
    if (paced) this.tokens = tokens;
    if (!out.keepsLatestGop) out.trim();
  }

  /**
   * At close, unpaced, as far as the sender takes it: everything left (`all`), or up to
   * the end of the frame being sent (the last datagram may then be shorter), so the
   * destination's last frame is whole.
   */
  sendRest(all: boolean): void {
    const out = this.output;
    if (!this.started() || (this.datagramsSent === 0 && !all)) return;
    if (!all && this.cursor > out.head && out.endsAligned(this.cursor - 1)) return;
    while (this.cursor < out.end) {
      let d = out.datagram(this.cursor);
      const frameEnd = all ? 0 : out.frameEnd(this.cursor);
      if (frameEnd > 0 && frameEnd < d.length) d = d.subarray(0, frameEnd);
      if (!this.sender.sendDatagram(d)) return;
      this.cursor++;
      this.bytesSent += d.length;
      this.datagramsSent++;
      if (frameEnd > 0) return;
    }
  }

  /** Stops reading the output. */
  detach(): void {
    this.output.release(this);
  }

  /** Waiting for the first random-access point (none was in the log at the start). */
  private started(): boolean {
    if (this.datagramsSent > 0 || this.skippedBytes > 0) return true;
    const out = this.output;
    while (this.cursor < out.end && !out.isRandomAccess(this.cursor)) this.cursor++;
    return this.cursor < out.end;
  }

  private skipToLive(): void {
    const out = this.output;
    const to = out.lastRandomAccess;
    if (to <= this.cursor) return;
    for (let s = this.cursor; s < to; s++) this.skippedBytes += out.datagram(s).length;
    this.cursor = to;
  }
}

/** The shared clock: ticks while outlets are attached. */
export class TsPacer {
  private readonly outlets = new Set<TsOutlet>();
  private timer: NodeJS.Timeout | undefined;
  /** Ticks run so far (for tests and diagnostics). */
  ticks = 0;

  constructor(
    /** Tick period, ms. Default 4. */
    readonly tickMs = 4,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Number of attached outlets. */
  get size(): number {
    return this.outlets.size;
  }

  /** Attaches an outlet and sends what it has due right away (same turn). */
  add(outlet: TsOutlet): void {
    this.outlets.add(outlet);
    outlet.pump(this.now());
    if (this.timer === undefined) {
      this.timer = setInterval(this.tick, this.tickMs);
      this.timer.unref();
    }
  }

  /** Detaches an outlet; the timer stops with the last one. */
  remove(outlet: TsOutlet): void {
    this.outlets.delete(outlet);
    if (this.outlets.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private readonly tick = (): void => {
    this.ticks++;
    const now = this.now();
    for (const outlet of this.outlets) {
      try {
        outlet.pump(now);
      } catch {
        // a sender that throws loses this tick only; its push notices through its own error path
      }
    }
  };
}

/** The process-wide pacer every TsPushSink uses unless given another. */
export const defaultTsPacer = new TsPacer();
