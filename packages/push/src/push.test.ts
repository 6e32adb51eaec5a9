import { describe, expect, it } from 'vitest';
import { PushSendStalled } from './errors.js';
import { settle } from './test-support/fake-clock.js';
import { AUDIO, AV, OPUS, VIDEO, audio, video } from './test-support/media.js';
import { makePushingRegistry, makeRegistry, rtmpPush } from './test-support/registry-fixture.js';

describe('Push: lifecycle', () => {
  it('waits in ready for the source, then connects, pushes, returns to ready when it ends and resumes on republish', async () => {
    const { registry, source, rtmp, clock, statesOf } = makeRegistry();
    registry.startPush(rtmpPush('p'));
    expect(rtmp.sinks).toHaveLength(0);
    expect(registry.getPush('p')?.state).toBe('ready');

    source.publish('live', AV);
    expect(registry.getPush('p')?.state).toBe('connecting');
    await settle();
    expect(registry.getPush('p')?.state).toBe('pushing');
    source.send('live', video(0, true, 400));
    clock.advance(2000);
    source.end('live');
    expect(registry.getPush('p')).toMatchObject({
      state: 'ready',
      sequence: 1,
      sentBytes: 0,
      sentTime: 0,
      totalsentBytes: 400,
      totalsentTime: 2000,
    });
    expect(rtmp.last.closed).toBe(true);

    source.publish('live', AV);
    await settle();
    source.send('live', video(5000, true, 300));
    clock.advance(1000);
    expect(registry.getPush('p')).toMatchObject({
      state: 'pushing',
      sequence: 1,
      sentBytes: 300,
      sentTime: 1000,
      totalsentBytes: 700,
      totalsentTime: 3000,
    });
    expect(rtmp.sinks).toHaveLength(2);
    expect(statesOf('p')).toEqual(['ready', 'connecting', 'pushing', 'ready', 'connecting', 'pushing']);
  });

  it('starts at the latest video keyframe with codec configuration handed to open()', async () => {
    const { registry, source, rtmp } = makeRegistry();
    source.publish('live', AV);
    source.send('live', audio(990)); // before the keyframe: not part of the GOP the hub replays
    source.send('live', video(1000, true));
    source.send('live', audio(1010));
    source.send('live', video(1040, false));
    registry.startPush(rtmpPush('p'));
    await settle();
    const sink = rtmp.last;
    expect(sink.openedTracks?.map((t) => [t.id, t.config?.length])).toEqual([
      [100, 4],
      [101, 2],
    ]);
    expect(sink.packets[0]).toMatchObject({ trackId: 100, key: true, dts: 0 });
    expect(sink.packets.map((p) => p.trackId)).toEqual([100, 101, 100]);
  });

  it('rebases each session to 0 on every track, keeping A/V sync across timescales', async () => {
    const { source, rtmp } = await makePushingRegistry();
    const base = 86_400_000 * 3; // three days into the stream
    source.send('live', audio(base - 20)); // before the first keyframe: dropped
    source.send('live', video(base, true));
    source.send('live', audio(base + 10));
    source.send('live', video(base + 40, false));
    expect(rtmp.last.packets.map((p) => [p.trackId, p.dts, p.pts])).toEqual([
      [100, 0, 3600],
      [101, 480, 480],
      [100, 3600, 7200],
    ]);
  });

  it('starts the session timeline at timelineOriginMs when set (a push that has run for weeks, simulated)', async () => {
    const origin = 2 ** 32 - 10; // ms
    const { registry, source, rtmp } = makeRegistry({ timelineOriginMs: origin });
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    await settle();
    source.send('live', video(5000, true));
    source.send('live', audio(5010));
    expect(rtmp.last.packets.map((p) => [p.trackId, p.dts, p.pts])).toEqual([
      [100, origin * 90, origin * 90 + 3600],
      [101, origin * 48 + 480, origin * 48 + 480],
    ]);
    expect(() => makeRegistry({ timelineOriginMs: -1 })).toThrow(
      'timelineOriginMs must be 0 or a positive number, got -1',
    );
  });

  it('a new codec configuration of the same tracks: a sink that carries it in-band keeps its session', async () => {
    const { registry, source, rtmp } = makeRegistry();
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    await settle();
    const sink = rtmp.last;
    sink.inBand = true;
    const changed = [{ ...VIDEO, config: new Uint8Array([1, 0x64, 0, 0x28]) }, AUDIO];
    source.publish('live', changed); // the ingest announces the new SPS
    expect(sink.reconfigured).toEqual([changed]);
    expect(rtmp.sinks).toHaveLength(1);
    expect(registry.getPush('p')).toMatchObject({ state: 'pushing', sequence: 0 });
    source.send('live', video(5000, true));
    expect(sink.packets).toHaveLength(1);
  });

  it('a new codec configuration: without in-band support, or with other tracks, a new session', async () => {
    const { registry, source, rtmp } = makeRegistry();
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    await settle();
    rtmp.last.inBand = false;
    source.publish('live', [{ ...VIDEO, config: new Uint8Array([1, 0x64, 0, 0x28]) }, AUDIO]);
    await settle();
    expect(rtmp.sinks).toHaveLength(2);
    expect(registry.getPush('p')).toMatchObject({ state: 'pushing', sequence: 1 });
    rtmp.last.inBand = true;
    source.publish('live', [VIDEO]); // a track left: never in-band
    await settle();
    expect(rtmp.sinks).toHaveLength(3);
    expect(rtmp.sinks[1]!.reconfigured).toEqual([]);
  });

  it('sends the first bytes in the same turn as the sink becoming ready (no timer in the way)', async () => {
    const { registry, source, rtmp, clock } = makeRegistry();
    rtmp.behaviour = 'hang';
    source.publish('live', AV);
    source.send('live', video(0, true));
    source.send('live', audio(5));
    registry.startPush(rtmpPush('p'));
    source.send('live', video(40, false)); // arrives while connecting: queued
    expect(rtmp.last.packets).toHaveLength(0);
    rtmp.last.finishOpen();
    await Promise.resolve(); // one microtask: the open() continuation
    expect(rtmp.last.packets.map((p) => p.dts)).toEqual([0, 240, 3600]);
    expect(clock.dueIn()).toEqual([1250]); // no timer needed to fire; the one armed is the no-media watchdog's check
    expect(registry.getPush('p')?.state).toBe('pushing');
  });

  it('keeps only the latest GOP while connecting', async () => {
    const { registry, source, rtmp } = makeRegistry();
    rtmp.behaviour = 'hang';
    source.publish('live', AV);
    registry.startPush(rtmpPush('p'));
    source.send('live', video(0, true));
    source.send('live', video(40, false));
    source.send('live', video(2000, true));
    source.send('live', video(2040, false));
    rtmp.last.finishOpen();
    await settle();
    expect(rtmp.last.packets.map((p) => p.dts)).toEqual([0, 3600]);
    expect(registry.getPush('p')?.droppedFrames).toBe(0);
  });

  it('restarts the session when the stream restarts with new tracks', async () => {
    const { registry, source, rtmp } = await makePushingRegistry();
    source.publish('live', [VIDEO]);
    await settle();
    expect(registry.getPush('p')).toMatchObject({ state: 'pushing', sequence: 1, stream: { tracks: [100] } });
    expect(rtmp.sinks[0]?.closed).toBe(true);
    expect(rtmp.last.openedTracks?.map((t) => t.id)).toEqual([100]);
  });
});

describe('Push: loss recovery counters (srt)', () => {
  it('are absent for protocols without them, and summed over sessions for those with them', async () => {
    const { registry, rtmp, clock } = await makePushingRegistry();
    expect(registry.getPush('p')).not.toHaveProperty('retransmittedPackets');
    rtmp.last.recovery = { retransmittedPackets: 3, retransmittedBytes: 3996, lostPackets: 4, droppedPackets: 1 };
    expect(registry.getPush('p')).toMatchObject({ retransmittedPackets: 3, lostPackets: 4, droppedPackets: 1 });
    rtmp.last.fail();
    await settle();
    clock.advance(5000);
    await settle();
    expect(registry.getPush('p')).toMatchObject({ state: 'pushing', sequence: 1 });
    rtmp.last.recovery = { retransmittedPackets: 2, retransmittedBytes: 2664, lostPackets: 2, droppedPackets: 0 };
    expect(registry.getPush('p')).toMatchObject({
      retransmittedPackets: 5,
      retransmittedBytes: 6660,
      lostPackets: 6,
      droppedPackets: 1,
    });
  });
});

describe('Push: track selection', () => {
  it('leaves out tracks the protocol cannot carry and names them', async () => {
    const { registry, rtmp } = await makePushingRegistry({}, [VIDEO, OPUS]);
    const r = registry.getPush('p');
    expect(r?.stream.tracks).toEqual([100]);
    expect(r?.skippedTracks).toEqual([{ id: 102, codec: 'opus', reason: 'opus is not carried by this protocol' }]);
    expect(rtmp.last.openedTracks?.map((t) => t.id)).toEqual([100]);
  });

  it('reports nothing to push as error with a message, without looping', async () => {
    const { registry, source, rtmp, clock } = await makePushingRegistry({}, [OPUS]);
    const r = registry.getPush('p');
    expect(r?.state).toBe('error');
    expect(r?.lastError).toBe(
      'Nothing to push: no track of stream [live] can be sent with rtmp (track 102 (opus): opus is not carried by this protocol)',
    );
    expect(r?.reconnectIn).toBeUndefined();
    expect(rtmp.sinks).toHaveLength(0);
    expect(clock.pending).toBe(0);
    source.end('live');
    expect(registry.getPush('p')?.state).toBe('ready');
    source.publish('live', [OPUS, AUDIO]);
    await settle();
    expect(registry.getPush('p')?.state).toBe('pushing');
  });

  it('selects tracks by variant name', async () => {
    const { registry, source, rtmp } = makeRegistry();
    source.publish('live', [VIDEO, { ...AUDIO, name: 'eng' }, { ...AUDIO, id: 103, name: 'fra' }]);
    registry.startPush(rtmpPush('p', 'live', { stream: { name: 'live', variantNames: ['fra'] } }));
    await settle();
    expect(rtmp.last.openedTracks?.map((t) => t.id)).toEqual([103]);
    source.send('live', { ...audio(0), trackId: 103 });
    expect(rtmp.last.packets).toHaveLength(1);
  });

  it('starts an audio-only push at the first audio frame', async () => {
    const { source, rtmp } = await makePushingRegistry({}, [AUDIO]);
    source.send('live', audio(777));
    expect(rtmp.last.packets[0]).toMatchObject({ trackId: 101, dts: 0 });
  });
});

describe('Push: isolation and back-pressure', () => {
  it('drops whole GOPs for a destination that stops reading, while another push gets everything', async () => {
    const { registry, source, rtmp } = makeRegistry({ queue: { maxBytes: 50_000, maxDurationMs: 60_000 } });
    source.publish('live', AV);
    registry.startPush(rtmpPush('slow'));
    registry.startPush(rtmpPush('fast'));
    await settle();
    const [slow, fast] = rtmp.sinks;
    if (slow === undefined || fast === undefined) throw new Error('two sinks expected');
    slow.reading = false;
    slow.bufferLimit = 10_000;
    // 10 GOPs of 1 s: keyframe + 24 frames of 1000 bytes + audio.
    let sent = 0;
    for (let g = 0; g < 10; g++) {
      for (let f = 0; f < 25; f++) {
        source.send('live', video(g * 1000 + f * 40, f === 0));
        source.send('live', audio(g * 1000 + f * 40 + 5));
        sent += 2;
      }
    }
    expect(fast.packets).toHaveLength(sent);
    const r = registry.getPush('slow');
    expect(r?.droppedFrames).toBeGreaterThan(0);
    slow.reading = true;
    slow.drainAll();
    // What reached the slow sink: the buffer's worth, then (after the drops) whole GOPs from a keyframe.
    const videoDts = slow.packets.filter((p) => p.trackId === 100);
    for (let i = 1; i < videoDts.length; i++) {
      const prev = videoDts[i - 1];
      const cur = videoDts[i];
      if (prev === undefined || cur === undefined) continue;
      if (cur.dts - prev.dts !== 3600) expect(cur.key).toBe(true); // any gap ends at a keyframe
    }
    expect(slow.packets.length + (r?.droppedFrames ?? 0)).toBe(sent);
    expect(registry.getPush('slow')?.state).toBe('pushing');
  });

  it('bounds the queue by media time too', async () => {
    const { registry, source, rtmp } = await makePushingRegistry(
      { queue: { maxBytes: 1 << 30, maxDurationMs: 1500 } },
      [VIDEO],
    );
    rtmp.last.reading = false;
    rtmp.last.bufferLimit = 1;
    for (let g = 0; g < 4; g++) for (let f = 0; f < 25; f++) source.send('live', video(g * 1000 + f * 40, f === 0));
    // Frame 0 filled the sink's buffer. Past 1.5 s queued, the rest of GOP 0 (24 frames), then whole
    // GOPs 1 and 2 (25 each) were dropped; GOP 3 waits from its keyframe.
    expect(registry.getPush('p')?.droppedFrames).toBe(74);
    rtmp.last.reading = true;
    rtmp.last.drainAll();
    expect(rtmp.last.packets.map((p) => p.dts / 3600).slice(0, 3)).toEqual([0, 75, 76]);
  });

  it('ends the session as error when nothing drains for the send timeout', async () => {
    const { registry, source, clock, changes, sink } = await makePushingRegistry();
    sink.reading = false;
    sink.bufferLimit = 1000;
    source.send('live', video(0, true, 5000));
    clock.advance(1000);
    sink.drainSome(100); // some progress: the watchdog re-arms
    clock.advance(1999);
    expect(registry.getPush('p')?.state).toBe('pushing');
    clock.advance(1001);
    expect(registry.getPush('p')).toMatchObject({
      state: 'error',
      sequence: 1,
      lastError: 'Send stalled: the destination drained nothing for 2000 ms (4900 bytes buffered)',
    });
    expect(changes.at(-1)?.error).toBeInstanceOf(PushSendStalled);
  });

  it('resumes a sink that emptied its buffer without signalling drain', async () => {
    const { registry, source, clock, sink } = await makePushingRegistry();
    sink.reading = false;
    sink.bufferLimit = 1000;
    source.send('live', video(0, true, 5000));
    source.send('live', video(40, false, 10)); // queued
    sink.bufferedBytes = 0; // written out, but no drain event
    clock.advance(2000);
    expect(registry.getPush('p')?.state).toBe('pushing');
    expect(sink.packets.map((p) => p.size)).toEqual([5000, 10]);
  });

  it('handles a sink that reports an error from inside send()', async () => {
    const { registry, source, clock, sink } = await makePushingRegistry();
    sink.send = () => {
      sink.fail('Broken pipe');
      return false;
    };
    source.send('live', video(0, true));
    expect(registry.getPush('p')).toMatchObject({ state: 'error', lastError: 'Broken pipe', reconnectIn: 500 });
    expect(clock.dueIn()).toEqual([500]); // only the retry: no send-stall watchdog left behind
  });

  it('never lets a throwing sink reach the source', async () => {
    const { registry, source, rtmp } = await makePushingRegistry();
    rtmp.last.send = () => {
      throw new Error('sink bug');
    };
    expect(() => source.send('live', video(0, true))).not.toThrow();
    expect(registry.getPush('p')).toMatchObject({ state: 'error', lastError: 'sink bug' });
  });
});
