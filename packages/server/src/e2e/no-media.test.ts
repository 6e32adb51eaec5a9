/**
 * End-to-end, issue 10 part 3: a push never says `pushing` while nothing flows. A real
 * ffmpeg publisher, an mpegts push over TCP to a plain receiver; the test flips a fault in
 * the session's sink (a wrapper around the real mpegts sink, passed in through the
 * server's `pushProtocols` option) that drops every packet. With the default
 * `<NoMediaTimeout>` (5000 ms) the session ends with lastError saying so and a new
 * session (sequence + 1) sends media again.
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { PushProtocolModule, PushSink, PushTarget } from '@sluice/push';
import { describeWithPeers, waitFor, type PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { builtInPushProtocols } from '../protocols/index.js';
import { startTestServer, type TestServer } from './harness.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { startTcpCapture, type TsCapture } from './ts-captures.js';

const APP = '/v1/vhosts/default/apps/app';

/** The real sinks, each of which drops every packet once the test marks it faulty. */
function faultInjection(): { protocols: PushProtocolModule[]; breakCurrentSink: () => void } {
  let latest: PushSink | undefined;
  let faulty: PushSink | undefined;
  const wrap = (sink: PushSink): PushSink => {
    const wrapped: PushSink = {
      open: (tracks: readonly TrackInfo[]) => sink.open(tracks),
      send: (packet: MediaPacket) => (faulty === wrapped ? true : sink.send(packet)),
      get bytesSent() {
        return sink.bytesSent;
      },
      get bufferedBytes() {
        return sink.bufferedBytes;
      },
      onDrain: (listener) => sink.onDrain(listener),
      onError: (listener) => sink.onError(listener),
      close: () => sink.close(),
    };
    latest = wrapped;
    return wrapped;
  };
  const protocols = builtInPushProtocols().map((p): PushProtocolModule => ({
    ...p,
    create: (target: PushTarget) => wrap(p.create(target)),
  }));
  return { protocols, breakCurrentSink: () => (faulty = latest) };
}

describeWithPeers(['ffmpeg'], 'e2e: NoMediaTimeout (issue 10)', () => {
  let t: TestServer;
  let publisher: PeerProcess | undefined;
  let capture: TsCapture | undefined;
  const fault = faultInjection();

  beforeAll(async () => {
    t = await startTestServer({ pushProtocols: fault.protocols });
  });

  afterAll(async () => {
    if (publisher) await stopFfmpeg(publisher);
    await capture?.close('/dev/null');
    await t?.close();
  });

  it(
    'a session whose packets are dropped ends after 5 s with lastError, and a new one sends media',
    { timeout: 90_000 },
    async () => {
      publisher = startFfmpegPublisher(t.ingestUrl('quiet'));
      await t.waitForLive('quiet');
      const tcp = (capture = await startTcpCapture());
      const started = await t.api('POST', `${APP}:startPush`, {
        id: 'nm',
        stream: { name: 'quiet' },
        protocol: 'mpegts',
        url: `tcp://127.0.0.1:${tcp.port}`,
      });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      await t.waitForState('nm', 'pushing');
      await waitFor(() => tcp.bytes() > 50_000, 10_000, 'media over TCP');

      fault.breakCurrentSink();
      const brokenAt = Date.now();
      const bytesAtFault = tcp.bytes();
      let record = await t.push('nm');
      await waitFor(
        async () => (record = await t.push('nm'))?.lastError !== undefined,
        20_000,
        () => `lastError (states: ${t.statesOf('nm').join(' ')})`,
        100,
      );
      const detectedAfter = Date.now() - brokenAt;
      expect(record?.lastError).toBe('no media sent for 5000 ms while the source is live');
      expect(record?.sequence).toBe(1);
      expect(detectedAfter).toBeGreaterThanOrEqual(5000);
      expect(detectedAfter).toBeLessThan(15_000);
      // nothing reached the receiver while the sink dropped (a few KiB in flight at most)
      expect(tcp.bytes() - bytesAtFault).toBeLessThan(64 * 1024);
      console.log(`no-media detected ${detectedAfter} ms after the fault`);

      await t.waitForState('nm', 'pushing', 15_000);
      const resumedFrom = tcp.bytes();
      await waitFor(() => tcp.bytes() > resumedFrom + 50_000, 10_000, 'media flows again in the new session');
      expect(t.statesOf('nm')).toEqual(expect.arrayContaining(['pushing', 'error', 'connecting']));
      expect((await t.push('nm'))?.sequence).toBe(1);
      expect((await t.api('POST', `${APP}:stopPush`, { id: 'nm' })).status).toBe(200);
    },
  );
});
