/**
 * SrtTsSender: carries muxed MPEG-TS inside SRT (the TsSender shape of @sluice/mpegts). The
 * muxer's chunks are cut into payloads of `pkt_size` bytes (1316 = 7 TS packets); a partial
 * payload waits for the next chunk and is sent (shorter, still whole TS packets) on close.
 * `bytesSent` is what the kernel accepted, as for every protocol: every datagram the SRT
 * connection handed to its socket (data paced out, retransmissions, control packets), not what
 * waits in the SRT send buffer. recoveryCounters() tells the retransmissions apart (wire bytes).
 */
import { parseSrtUrl, SrtCaller, SrtConnectionError, type SrtConnection, type SrtUrl } from '@sluice/srt';
import type { TsRecoveryCounters, TsSender } from '@sluice/mpegts';
import type { HostResolver } from '@sluice/media';

const TS_PACKET = 188;
/** Bytes of an SRT data packet header. */
const SRT_HEADER = 16;
/** Longest wait on close for the send buffer to be acknowledged, then for the receiver to play it. */
const CLOSE_ACK_MS = 1500;
const CLOSE_PLAY_MAX_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Parses an srt:// push URL and checks what a push needs (caller mode, whole TS packets per payload). */
export function parseSrtPushUrl(url: string): SrtUrl {
  const parsed = parseSrtUrl(url);
  if (parsed.mode !== 'caller') {
    throw new SrtConnectionError('url', 'Invalid srt:// URL: a push calls its destination (mode=caller)');
  }
  if (parsed.payloadSize !== undefined && parsed.payloadSize % TS_PACKET !== 0) {
    throw new SrtConnectionError(
      'url',
      `Invalid srt:// URL: pkt_size must be a multiple of 188 (whole TS packets), got ${parsed.payloadSize}`,
    );
  }
  return parsed;
}

/** One SRT connection carrying a push's MPEG-TS. */
export class SrtTsSender implements TsSender {
  private readonly dest: SrtUrl;
  private connection: SrtConnection | undefined;
  private readonly payload: Buffer;
  private staged = 0;
  private closing = false;
  private readonly errorListeners: Array<(error: Error) => void> = [];

  /** Throws SrtConnectionError('url') for a bad URL. `resolveHost`: the push target's (destination policy); default the system's. */
  constructor(
    private readonly url: string,
    private readonly connectTimeoutMs: number,
    private readonly resolveHost?: HostResolver,
  ) {
    this.dest = parseSrtPushUrl(url);
    this.payload = Buffer.allocUnsafe(this.dest.payloadSize ?? 7 * TS_PACKET);
  }

  private get where(): string {
    const host = this.dest.host.includes(':') ? `[${this.dest.host}]` : this.dest.host;
    return `srt://${host}:${this.dest.port}`;
  }

  /** Connects (handshake, key exchange). Rejects with SrtConnectionError carrying the peer's reject reason. */
  async open(): Promise<void> {
    const { mode: _mode, ...options } = this.dest;
    let connection: SrtConnection;
    try {
      connection = await SrtCaller.connect({
        connectTimeoutMs: this.connectTimeoutMs,
        ...options,
        ...(this.resolveHost !== undefined ? { resolveHost: this.resolveHost } : {}),
      });
    } catch (error) {
      if (!(error instanceof SrtConnectionError)) throw error;
      throw new SrtConnectionError(error.code, `${this.where}: ${error.message}`, error.rejectReason, {
        cause: error,
      });
    }
    if (this.closing) {
      connection.close();
      return;
    }
    this.connection = connection;
    connection.on('close', (reason, error) => {
      if (reason === 'local' || this.closing) return;
      const text =
        reason === 'peer'
          ? `${this.where}: the receiver closed the connection (SRT shutdown)`
          : `${this.where}: ${error?.message ?? reason}`;
      const failure = new SrtConnectionError(error?.code ?? 'closed', text, error?.rejectReason, { cause: error });
      for (const l of this.errorListeners) l(failure);
    });
  }

  /** Cuts whole TS packets into payloads and hands them to SRT. Live mode never blocks: always true while open. */
  send(chunk: Uint8Array): boolean {
    const connection = this.connection;
    if (connection === undefined || !connection.open) return false;
    const size = this.payload.length;
    let o = 0;
    if (this.staged > 0) {
      const take = Math.min(size - this.staged, chunk.length);
      this.payload.set(chunk.subarray(0, take), this.staged);
      this.staged += take;
      o = take;
      if (this.staged < size) return true;
      connection.send(this.payload);
      this.staged = 0;
    }
    // the SRT sender copies each payload into its own ring slot: views are enough
    while (chunk.length - o >= size) {
      connection.send(chunk.subarray(o, o + size));
      o += size;
    }
    if (o < chunk.length) {
      this.payload.set(chunk.subarray(o), 0);
      this.staged = chunk.length - o;
    }
    return true;
  }

  get bytesSent(): number {
    return this.connection?.datagramBytesSent ?? 0;
  }

  get bufferedBytes(): number {
    return this.staged + (this.connection?.unsentMessages ?? 0) * this.payload.length;
  }

  /** Live SRT never applies back-pressure (late packets are dropped by the SRT sender instead). */
  onDrain(_listener: () => void): void {}

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  recoveryCounters(): TsRecoveryCounters | undefined {
    const connection = this.connection;
    if (connection === undefined) return undefined;
    const s = connection.stats();
    return {
      retransmittedPackets: s.packetsRetransmitted,
      retransmittedBytes: s.bytesRetransmitted + SRT_HEADER * s.packetsRetransmitted,
      lostPackets: s.packetsSendLost,
      droppedPackets: s.packetsSendDropped,
    };
  }

  /**
   * Sends the partial payload, waits until the receiver acknowledged everything (at most 1.5 s)
   * and played it (its latency, at most 3 s), then shuts down: a receiver drops what it holds
   * unplayed at SHUTDOWN, so the capture would end in a cut frame.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const connection = this.connection;
    if (connection === undefined || !connection.open) return;
    if (this.staged > 0) connection.send(this.payload.subarray(0, this.staged));
    this.staged = 0;
    const acked = Date.now() + CLOSE_ACK_MS;
    while (connection.open && connection.unacknowledgedMessages > 0 && Date.now() < acked) await sleep(10);
    const played = Date.now() + Math.min(connection.peerLatencyMs + 50, CLOSE_PLAY_MAX_MS);
    while (connection.open && Date.now() < played) await sleep(10);
    connection.close();
  }
}
