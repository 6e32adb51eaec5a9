import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { PushSink, PushSinkFactory, PushTarget } from '@sluice/push';
import { describe, expect, it } from 'vitest';
import { guardSinks, LeaseNotHeld, type LeaseCheck } from './lease-guarded-sinks.js';

const TRACK: TrackInfo = { id: 1, kind: 'video', codec: 'h264', timescale: 1000 };
const PACKET = { trackId: 1, dts: 0, pts: 0, key: true, data: new Uint8Array(10) } as unknown as MediaPacket;
const target = (pushId: string): PushTarget => ({
  pushId,
  protocol: 'rtmp',
  url: 'rtmp://h/app',
  streamKey: 'k',
  connectTimeoutMs: 1000,
  sendTimeoutMs: 1000,
});

/** A factory recording what reached it. */
function recordingFactory(): PushSinkFactory & { sent: number; opened: number; probed: number; created: number } {
  const f = {
    sent: 0,
    opened: 0,
    probed: 0,
    created: 0,
    requiresStreamKey: true,
    maxTracksPerKind: { video: 1 },
    cannotCarry: (t: TrackInfo) => (t.codec === 'opus' ? 'no opus' : null),
    checkUrl: (url: string) => (url.startsWith('rtmp://') ? null : 'not rtmp'),
    probe: () => {
      f.probed++;
      return Promise.resolve(true);
    },
    create: (): PushSink => {
      f.created++;
      return {
        open: () => {
          f.opened++;
          return Promise.resolve();
        },
        send: () => {
          f.sent++;
          return true;
        },
        bytesSent: 42,
        bufferedBytes: 7,
        onDrain: () => undefined,
        onError: () => undefined,
        close: () => Promise.resolve(),
      };
    },
  };
  return f;
}

describe('sinks guarded by the lease', () => {
  it('pass everything through while the lease is valid, and keep what the protocol says about itself', async () => {
    const inner = recordingFactory();
    const lease: LeaseCheck = { valid: () => true };
    const guarded = guardSinks({ rtmp: inner }, (id) => (id === 'p' ? lease : undefined))['rtmp'] as PushSinkFactory;
    expect(guarded.requiresStreamKey).toBe(true);
    expect(guarded.maxTracksPerKind).toEqual({ video: 1 });
    expect(guarded.checkUrl('udp://x')).toBe('not rtmp');
    expect(guarded.cannotCarry({ ...TRACK, codec: 'opus' })).toBe('no opus');
    expect(await guarded.probe?.(target('p'))).toBe(true);
    const sink = guarded.create(target('p'));
    await sink.open([TRACK]);
    expect(sink.send(PACKET)).toBe(true);
    expect([inner.created, inner.opened, inner.sent, inner.probed]).toEqual([1, 1, 1, 1]);
    expect([sink.bytesSent, sink.bufferedBytes]).toEqual([42, 7]);
  });

  it('without a valid lease: no sink, no open, no probe, and packets dropped once it is lost', async () => {
    const inner = recordingFactory();
    let valid = true;
    const lease: LeaseCheck = { valid: () => valid };
    const guarded = guardSinks({ rtmp: inner }, (id) => (id === 'p' ? lease : undefined))['rtmp'] as PushSinkFactory;
    expect(() => guarded.create(target('other'))).toThrow(LeaseNotHeld);
    expect(() => guarded.create(target('other'))).toThrow(
      'This node does not hold the lease of push [other]: not connecting (another node may run it)',
    );
    expect(await guarded.probe?.(target('other'))).toBe(false);
    const sink = guarded.create(target('p'));
    valid = false;
    await expect(sink.open([TRACK])).rejects.toBeInstanceOf(LeaseNotHeld);
    expect(sink.send(PACKET)).toBe(true);
    expect(() => guarded.create(target('p'))).toThrow(LeaseNotHeld);
    expect(await guarded.probe?.(target('p'))).toBe(false);
    expect([inner.created, inner.opened, inner.sent, inner.probed]).toEqual([1, 0, 0, 0]);
  });
});
