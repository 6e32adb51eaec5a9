import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { StreamSubscriber } from '@sluice/push';
import { describe, expect, it } from 'vitest';
import { StreamAlreadyPublished, StreamHub } from './stream-hub.js';
import { AAC_TRACK } from '../test-support/tracks.js';

const ref = { vhost: 'default', app: 'app', name: 's' };
const tracks: TrackInfo[] = [
  { id: 0, kind: 'video', codec: 'h264', timescale: 1000, config: new Uint8Array([1, 2]), width: 640, height: 360 },
  AAC_TRACK,
];

function packet(trackId: number, dts: number, key = false): MediaPacket {
  return { trackId, dts, pts: dts, key, data: new Uint8Array(10) };
}

function recorder(): StreamSubscriber & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    onStreamStart: (t) => events.push(`start:${t.map((x) => x.id).join(',')}`),
    onPacket: (p) => events.push(`${p.trackId}@${p.dts}${p.key ? 'k' : ''}`),
    onStreamEnd: () => events.push('end'),
  };
}

describe('StreamHub', () => {
  it('delivers in the same turn to a subscriber that waited for the stream', () => {
    const hub = new StreamHub();
    const sub = recorder();
    hub.subscribe(ref, sub);
    const pub = hub.publish(ref);
    pub.write(packet(0, 0, true)); // before setTracks: ignored
    pub.setTracks(tracks);
    pub.write(packet(0, 0, true));
    pub.write(packet(1, 5, true));
    pub.end();
    expect(sub.events).toEqual(['start:0,1', '0@0k', '1@5k', 'end']);
  });

  it('a late subscriber starts at once at the latest video keyframe', () => {
    const hub = new StreamHub();
    const pub = hub.publish(ref);
    pub.setTracks(tracks);
    pub.write(packet(1, 0, true));
    pub.write(packet(0, 0, true));
    pub.write(packet(0, 40));
    pub.write(packet(0, 80, true));
    pub.write(packet(1, 90, true));
    pub.write(packet(0, 120));
    const sub = recorder();
    hub.subscribe(ref, sub);
    expect(sub.events).toEqual(['start:0,1', '0@80k', '1@90k', '0@120']);
    expect(hub.tracksOf(ref)).toEqual(tracks);
  });

  it('audio-only streams replay the latest audio frame', () => {
    const hub = new StreamHub();
    const pub = hub.publish(ref);
    pub.setTracks([tracks[1]!]);
    pub.write(packet(1, 0, true));
    pub.write(packet(1, 23, true));
    const sub = recorder();
    hub.subscribe(ref, sub);
    expect(sub.events).toEqual(['start:1', '1@23k']);
  });

  it('drops an oversized GOP until the next keyframe', () => {
    const hub = new StreamHub({ maxGopPackets: 3 });
    const pub = hub.publish(ref);
    pub.setTracks(tracks);
    for (let i = 0; i < 5; i++) pub.write(packet(0, i * 40, i === 0));
    const sub = recorder();
    hub.subscribe(ref, sub);
    expect(sub.events).toEqual(['start:0,1']);
  });

  it('refuses a second publisher of the same name; republish after end resumes subscribers', () => {
    const hub = new StreamHub();
    const sub = recorder();
    hub.subscribe(ref, sub);
    const pub = hub.publish(ref);
    pub.setTracks(tracks);
    expect(() => hub.publish(ref)).toThrow(StreamAlreadyPublished);
    pub.end();
    pub.end();
    expect(hub.tracksOf(ref)).toBeUndefined();
    const again = hub.publish(ref);
    again.setTracks(tracks);
    again.write(packet(0, 0, true));
    expect(sub.events).toEqual(['start:0,1', 'end', 'start:0,1', '0@0k']);
  });

  it('unsubscribe stops delivery; a throwing subscriber does not stop the others', () => {
    const hub = new StreamHub();
    const errors: unknown[] = [];
    hub.listen({ onSubscriberError: (_r, e) => errors.push(e) });
    const bad: StreamSubscriber = {
      onStreamStart: () => undefined,
      onPacket: () => {
        throw new Error('boom');
      },
      onStreamEnd: () => undefined,
    };
    const good = recorder();
    const other = recorder();
    hub.subscribe(ref, bad);
    hub.subscribe(ref, good);
    const off = hub.subscribe(ref, other);
    const pub = hub.publish(ref);
    pub.setTracks(tracks);
    off();
    pub.write(packet(0, 0, true));
    expect(good.events).toEqual(['start:0,1', '0@0k']);
    expect(other.events).toEqual(['start:0,1']);
    expect(errors).toHaveLength(1);
  });

  it('lists live streams and emits start/end; forgets idle entries', () => {
    const hub = new StreamHub();
    const seen: string[] = [];
    hub.listen({ onStreamStart: (i) => seen.push(`+${i.ref.name}`), onStreamEnd: (i) => seen.push(`-${i.ref.name}`) });
    const b = hub.publish({ ...ref, name: 'b' });
    const a = hub.publish({ ...ref, name: 'a' });
    hub.publish({ ...ref, name: 'c' }); // never declares tracks: not live
    b.setTracks(tracks);
    a.setTracks(tracks);
    a.write(packet(0, 0, true));
    expect(hub.liveStreams({ vhost: 'default', app: 'app' }).map((s) => s.ref.name)).toEqual(['a', 'b']);
    expect(hub.stream({ ...ref, name: 'a' })?.packetsIn).toBe(1);
    hub.endAll();
    expect(seen).toEqual(['+b', '+a', '-b', '-a']);
    expect(hub.liveStreams()).toEqual([]);
    expect(hub.subscriberCount(ref)).toBe(0);
  });

  it('publishes a continuous timeline across a jump in the source: subscribers, listeners and a late GOP replay see it', () => {
    const hub = new StreamHub();
    const jumps: string[] = [];
    hub.listen({ onDiscontinuity: (r, e) => jumps.push(`${r.name}:${e.trackId}:${e.fromMs}->${e.toMs}:${e.kind}`) });
    const early = recorder();
    const told: number[] = [];
    hub.subscribe(ref, { ...early, onDiscontinuity: (e) => told.push(e.toMs) });
    const pub = hub.publish(ref);
    pub.setTracks(tracks);
    pub.write(packet(0, 60_000, true));
    pub.write(packet(1, 60_010));
    pub.write(packet(0, 60_033)); // the encoder restarts its clock here
    pub.write(packet(0, 0, true));
    pub.write(packet(1, 20));
    pub.write(packet(0, 33));
    const late = recorder();
    hub.subscribe(ref, late);
    expect(early.events.slice(1)).toEqual(['0@60000k', '1@60010', '0@60033', '0@60066k', '1@60086', '0@60099']);
    expect(late.events).toEqual(['start:0,1', '0@60066k', '1@60086', '0@60099']);
    expect(jumps).toEqual(['s:0:60033->0:backward']);
    expect(told).toEqual([0]);
    expect(hub.stream(ref)?.discontinuities).toBe(1);
  });
});
