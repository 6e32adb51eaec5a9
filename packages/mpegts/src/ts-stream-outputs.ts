/**
 * TsStreamOutputs: the shared TsStreamOutput of each (stream, track selection, datagram
 * size), muxed once from the source (the server's stream hub) for all the MPEG-TS pushes
 * of that stream. An output subscribes to its stream when its first push opens and
 * unsubscribes when the last one closes. Its timeline is the stream's own (the contract
 * allows an MPEG-TS push not to start at 0), which is what lets pushes share it.
 *
 * The source has the shape of @sluice/push's PushSource (this package does not import it).
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { TsStreamOutput, type TsStreamOutputOptions } from './ts-stream-output.js';

/** A stream's identity in the source. */
export interface TsStreamRef {
  vhost: string;
  app: string;
  name: string;
}

/** What an output receives from the source (PushSource's StreamSubscriber). */
export interface TsStreamSubscriber {
  /** Live: its tracks, then (same turn) the current GOP through onPacket. */
  onStreamStart(tracks: readonly TrackInfo[]): void;
  onPacket(packet: MediaPacket): void;
  onStreamEnd(): void;
}

/** Where outputs read streams (PushSource's subscribe). */
export interface TsPacketSource {
  subscribe(stream: TsStreamRef, subscriber: TsStreamSubscriber): () => void;
}

class SharedOutput implements TsStreamSubscriber {
  readonly output: TsStreamOutput;
  users = 0;
  unsubscribe: (() => void) | undefined;
  private readonly trackIds: ReadonlySet<number>;

  constructor(trackIds: readonly number[], options: TsStreamOutputOptions) {
    this.output = new TsStreamOutput(options);
    this.trackIds = new Set(trackIds);
  }

  onStreamStart(tracks: readonly TrackInfo[]): void {
    const selected = tracks.filter((t) => this.trackIds.has(t.id));
    if (selected.length === 0) {
      this.output.finish();
      return;
    }
    try {
      this.output.start(selected);
    } catch {
      this.output.finish(); // tracks the muxer refuses: the sessions report it through their own open()
    }
  }

  onPacket(packet: MediaPacket): void {
    if (this.trackIds.has(packet.trackId)) this.output.write(packet);
  }

  onStreamEnd(): void {
    this.output.finish();
  }
}

/** The shared outputs of one source. */
export class TsStreamOutputs {
  private readonly outputs = new Map<string, SharedOutput>();

  constructor(
    private readonly source: TsPacketSource,
    private readonly options: Omit<TsStreamOutputOptions, 'packetSize'> = {},
  ) {}

  /** Outputs alive now. */
  get size(): number {
    return this.outputs.size;
  }

  /**
   * The output of `stream` muxing `trackIds` in `packetSize` datagrams, created (and
   * subscribed, which replays the stream's current GOP into it) on first use.
   * Each acquire() needs one release().
   */
  acquire(stream: TsStreamRef, trackIds: readonly number[], packetSize: number): TsStreamOutput {
    const ids = [...trackIds].sort((a, b) => a - b);
    const key = JSON.stringify([stream.vhost, stream.app, stream.name, ids, packetSize]);
    let shared = this.outputs.get(key);
    if (shared === undefined) {
      const created = new SharedOutput(ids, { ...this.options, packetSize });
      this.outputs.set(key, created);
      created.output.replay(() => {
        created.unsubscribe = this.source.subscribe(stream, created);
      });
      shared = created;
    }
    shared.users++;
    return shared.output;
  }

  /** Gives back an output from acquire(); the last release unsubscribes and drops it. */
  release(output: TsStreamOutput): void {
    for (const [key, shared] of this.outputs) {
      if (shared.output !== output) continue;
      if (--shared.users > 0) return;
      this.outputs.delete(key);
      shared.unsubscribe?.();
      output.finish();
      return;
    }
  }
}
