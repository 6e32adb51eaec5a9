/** Push sinks for `mpegts` (udp:// and tcp://): @sluice/mpegts's TsMuxer over a TS transport. */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { TsMuxer, tsCannotCarry } from '@sluice/mpegts';
import type { PushSink, PushSinkFactory, PushTarget } from '@sluice/push';
import { openTsTransport, parseTsUrl, type TsTransport } from './ts-transport.js';

/** One session: a muxer for the session's tracks writing into one transport. */
export class MpegtsPushSink implements PushSink {
  private transport: TsTransport | undefined;
  private muxer: TsMuxer | undefined;
  private readonly drainListeners: Array<() => void> = [];
  private readonly errorListeners: Array<(e: Error) => void> = [];
  private full = false;
  /** Packets the muxer refused (malformed input); the session goes on. */
  rejectedPackets = 0;

  constructor(private readonly target: PushTarget) {}

  async open(tracks: readonly TrackInfo[]): Promise<void> {
    const transport = await openTsTransport(this.target.url, this.target.connectionTimeoutMs);
    this.transport = transport;
    transport.onDrain(() => {
      this.full = false;
      for (const l of this.drainListeners) l();
    });
    transport.onError((e) => {
      for (const l of this.errorListeners) l(e);
    });
    try {
      this.muxer = new TsMuxer(tracks, {
        onData: (chunk) => {
          if (!transport.write(chunk)) this.full = true;
        },
      });
    } catch (e) {
      await transport.close();
      throw e;
    }
  }

  send(packet: MediaPacket): boolean {
    if (this.muxer === undefined) return true;
    try {
      this.muxer.write(packet);
    } catch {
      this.rejectedPackets++;
    }
    return !this.full;
  }

  get bytesSent(): number {
    return this.transport?.bytesSent ?? 0;
  }

  get bufferedBytes(): number {
    return this.transport?.bufferedBytes ?? 0;
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  async close(): Promise<void> {
    try {
      this.muxer?.end();
    } catch {
      // a muxer that cannot flush its last PES has nothing more to give
    }
    this.muxer = undefined;
    await this.transport?.close();
  }
}

/** Creates the `mpegts` PushSinkFactory (udp://host:port, tcp://host:port). */
export function createMpegtsSinkFactory(): PushSinkFactory {
  return {
    cannotCarry: tsCannotCarry,
    checkUrl: (url) => {
      try {
        parseTsUrl(url);
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    },
    create: (target) => new MpegtsPushSink(target),
  };
}
