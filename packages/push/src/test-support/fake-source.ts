/** A stream hub for tests: publish, send packets, end; keeps the current GOP like the real hub. */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { PushSource, StreamRef, StreamSubscriber, TimelineDiscontinuity } from '../types.js';

interface FakeStream {
  tracks: readonly TrackInfo[] | undefined;
  gop: MediaPacket[];
  subscribers: Set<StreamSubscriber>;
}

const keyOf = (ref: StreamRef): string => `${ref.vhost}/${ref.app}/${ref.name}`;

/** Fake PushSource: streams addressed as default/app/{name} unless given. */
export class FakeSource implements PushSource {
  private readonly streams = new Map<string, FakeStream>();

  private stream(key: string): FakeStream {
    let s = this.streams.get(key);
    if (s === undefined) {
      s = { tracks: undefined, gop: [], subscribers: new Set() };
      this.streams.set(key, s);
    }
    return s;
  }

  subscribe(ref: StreamRef, subscriber: StreamSubscriber): () => void {
    const s = this.stream(keyOf(ref));
    s.subscribers.add(subscriber);
    if (s.tracks !== undefined) {
      subscriber.onStreamStart(s.tracks);
      for (const p of [...s.gop]) subscriber.onPacket(p);
    }
    return () => {
      s.subscribers.delete(subscriber);
    };
  }

  /** Subscribers of every stream together. */
  get totalSubscribers(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.subscribers.size;
    return n;
  }

  tracksOf(ref: StreamRef): readonly TrackInfo[] | undefined {
    return this.streams.get(keyOf(ref))?.tracks;
  }

  /** Starts (or restarts) stream `name`. */
  publish(name: string, tracks: readonly TrackInfo[], app = 'app', vhost = 'default'): void {
    const s = this.stream(`${vhost}/${app}/${name}`);
    s.tracks = tracks;
    s.gop = [];
    for (const sub of [...s.subscribers]) sub.onStreamStart(tracks);
  }

  /** Delivers one packet; a video keyframe starts a new GOP (audio-only: every packet). */
  send(name: string, packet: MediaPacket, app = 'app', vhost = 'default'): void {
    const s = this.stream(`${vhost}/${app}/${name}`);
    if (s.tracks === undefined) throw new Error(`stream ${name} is not live`);
    const video = s.tracks.find((t) => t.kind === 'video');
    if (packet.key && (video === undefined || video.id === packet.trackId)) s.gop = [];
    s.gop.push(packet);
    for (const sub of [...s.subscribers]) sub.onPacket(packet);
  }

  /** Tells subscribers of stream `name` that its timeline jumped (the real hub does so after rebasing). */
  discontinuity(name: string, event: TimelineDiscontinuity, app = 'app', vhost = 'default'): void {
    const s = this.stream(`${vhost}/${app}/${name}`);
    for (const sub of [...s.subscribers]) sub.onDiscontinuity?.(event);
  }

  /** Ends stream `name`. */
  end(name: string, app = 'app', vhost = 'default'): void {
    const s = this.stream(`${vhost}/${app}/${name}`);
    s.tracks = undefined;
    s.gop = [];
    for (const sub of [...s.subscribers]) sub.onStreamEnd();
  }

  /** Subscribers of stream `name`. */
  subscriberCount(name: string, app = 'app', vhost = 'default'): number {
    return this.streams.get(`${vhost}/${app}/${name}`)?.subscribers.size ?? 0;
  }

  isLive(name: string, app = 'app', vhost = 'default'): boolean {
    return this.streams.get(`${vhost}/${app}/${name}`)?.tracks !== undefined;
  }
}
