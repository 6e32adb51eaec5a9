/**
 * End-to-end, the srt push: a real ffmpeg publishes over RTMP, `startPush` with
 * `protocol: "srt"` carries the stream as MPEG-TS inside SRT to libsrt's receivers
 * (srt-live-transmit, ffmpeg, GStreamer srtsrc) listening on 127.0.0.1, in clear and
 * encrypted (pbkeylen 16/24/32), at 120 ms and 1 s latency; each capture decodes (srtsrc's up to
 * a tail cut by the caller's SHUTDOWN, see withoutLastPes). A wrong
 * passphrase and a rejecting listener put the peer's reason into `lastError`.
 */
import { describeWithPeers, expectDecodes, freeUdpPort, waitFor, type PeerProcess } from '@sluice/test-support';
import { SrtListener, SrtRejectPredefined } from '@sluice/srt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSrtPushProtocol } from '../protocols/srt/srt-push.js';
import { startTestServer, type TestServer } from './harness.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { startSrtReceiver, withoutLastPes, type SrtReceiverKind } from './srt-receivers.js';

const APP = '/v1/vhosts/default/apps/app';
const PASSPHRASE = 'sluice-e2e-secret';

type Case = [kind: SrtReceiverKind, pbkeylen: number | undefined, latencyMs: number];
const CASES: Case[] = [
  ['srt-live-transmit', undefined, 120],
  ['srt-live-transmit', 16, 1000],
  ['srt-live-transmit', 24, 120],
  ['srt-live-transmit', 32, 1000],
  ['ffmpeg', undefined, 1000],
  ['ffmpeg', 16, 120],
  ['ffmpeg', 32, 120],
  ['gstreamer', undefined, 120],
  ['gstreamer', 24, 1000],
  ['gstreamer', 32, 120],
];

/** The push's first non-empty lastError. */
async function firstLastError(t: TestServer, id: string): Promise<string> {
  let lastError = '';
  await waitFor(
    async () => {
      lastError = (await t.push(id))?.lastError ?? '';
      return lastError !== '';
    },
    20_000,
    `lastError of push ${id}`,
  );
  return lastError;
}

function srtUrl(port: number, latencyMs: number, passphrase?: string, pbkeylen?: number): string {
  let url = `srt://127.0.0.1:${port}?latency=${latencyMs * 1000}&streamid=e2e`;
  if (passphrase !== undefined) url += `&passphrase=${passphrase}&pbkeylen=${pbkeylen ?? 16}`;
  return url;
}

describeWithPeers(['ffmpeg', 'ffprobe', 'srt-live-transmit', 'gstreamer'], 'e2e: srt push to libsrt receivers', () => {
  let t: TestServer;
  let publisher: PeerProcess | undefined;

  beforeAll(async () => {
    t = await startTestServer();
    publisher = startFfmpegPublisher(t.ingestUrl('cam'));
    await t.waitForLive('cam');
  });

  afterAll(async () => {
    if (publisher) await stopFfmpeg(publisher);
    await t?.close();
  });

  it.each(CASES)(
    'to a %s listener, pbkeylen %s, latency %s ms: the capture decodes',
    async (kind, pbkeylen, latencyMs) => {
      const port = await freeUdpPort();
      const passphrase = pbkeylen === undefined ? undefined : PASSPHRASE;
      const receiver = startSrtReceiver(kind, { port, latencyMs, passphrase, pbkeylen });
      const id = `srt-${kind}-${pbkeylen ?? 0}-${latencyMs}`;
      let sentBytes = 0;
      try {
        const started = await t.api('POST', `${APP}:startPush`, {
          id,
          stream: { name: 'cam' },
          protocol: 'srt',
          url: srtUrl(port, latencyMs, passphrase, pbkeylen),
        });
        expect(started.status, JSON.stringify(started.body)).toBe(200);
        await t.waitForState(id, 'pushing', 20_000);
        await waitFor(async () => ((await t.push(id))?.sentBytes ?? 0) > 400_000, 20_000, `media over srt (${id})`);
        const record = await t.push(id);
        expect(record?.protocol).toBe('srt');
        expect(record?.retransmittedPackets).toBeGreaterThanOrEqual(0);
        expect(record?.droppedPackets).toBe(0);
        sentBytes = record?.sentBytes ?? 0;
        expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
        await t.waitForGone(id);
      } finally {
        await receiver.stop();
      }
      if (kind !== 'gstreamer') {
        await expectDecodes(receiver.file, undefined, receiver.process.stderr());
        return;
      }
      // srtsrc drops what it has not read yet when the SHUTDOWN arrives (a busy machine: gst
      // behind its play time): every PES before that cut decodes, and the cut is near the end
      const whole = withoutLastPes(receiver.file);
      expect(whole.bytes, 'srtsrc kept most of what the push had sent').toBeGreaterThan(0.75 * sentBytes);
      await expectDecodes(whole.file, undefined, receiver.process.stderr());
    },
  );

  it('a wrong passphrase: lastError says so, and the push keeps retrying', async () => {
    const port = await freeUdpPort();
    const receiver = startSrtReceiver('srt-live-transmit', {
      port,
      latencyMs: 120,
      passphrase: 'another-secret-1',
      pbkeylen: 16,
    });
    try {
      const id = 'srt-bad-secret';
      const started = await t.api('POST', `${APP}:startPush`, {
        id,
        stream: { name: 'cam' },
        protocol: 'srt',
        url: srtUrl(port, 120, PASSPHRASE, 16),
      });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      const lastError = await firstLastError(t, id);
      expect(lastError).toMatch(new RegExp(`^srt://127\\.0\\.0\\.1:${port}: .*wrong passphrase`));
      expect(lastError).not.toContain(PASSPHRASE);
      await waitFor(async () => ((await t.push(id))?.sequence ?? 0) >= 2, 20_000, 'retries after the refusal');
      expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
      await t.waitForGone(id);
    } finally {
      await receiver.process.stop(2000);
    }
  });

  it("a listener's reject code reaches lastError in its words (1403 forbidden)", async () => {
    const listener = await SrtListener.listen({
      host: '127.0.0.1',
      port: 0,
      onConnectRequest: () => ({ accept: false, rejectReason: SrtRejectPredefined.Forbidden }),
    });
    try {
      const id = 'srt-forbidden';
      const started = await t.api('POST', `${APP}:startPush`, {
        id,
        stream: { name: 'cam' },
        protocol: 'srt',
        url: `srt://127.0.0.1:${listener.address.port}?streamid=%23!%3A%3Ar%3Dlive%2Fcam%2Cm%3Dpublish`,
      });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      const lastError = await firstLastError(t, id);
      expect(lastError).toBe(
        `srt://127.0.0.1:${listener.address.port}: the listener rejected the connection: forbidden (1403)`,
      );
      expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
      await t.waitForGone(id);
    } finally {
      await listener.close();
    }
  });

  it('refuses bad srt:// URLs in the contract words (400); the reason names the argument', async () => {
    const url = 'srt://127.0.0.1:9000?passphrase=a-long-secret-phrase&latency=120ms';
    const answer = await t.api('POST', `${APP}:startPush`, { stream: { name: 'cam' }, protocol: 'srt', url });
    expect(answer.status).toBe(400);
    // the reason is returned, the passphrase is not
    expect(answer.body?.message).toBe(
      'Invalid URL [srt://127.0.0.1:9000?passphrase=[redacted]&latency=120ms] for protocol [srt]: latency must be a whole number of microseconds from 0 to 65535000, got [120ms] (400)',
    );
    expect(createSrtPushProtocol().checkUrl('srt://127.0.0.1:9000?latency=120ms')).toBe(
      'Invalid srt:// URL: latency must be a whole number of microseconds from 0 to 65535000, got [120ms]',
    );
    expect(createSrtPushProtocol().checkUrl('srt://127.0.0.1:9000?mode=listener')).toBe(
      'Invalid srt:// URL: a push calls its destination (mode=caller)',
    );
    expect(createSrtPushProtocol().checkUrl('srt://127.0.0.1:9000?pkt_size=1000')).toBe(
      'Invalid srt:// URL: pkt_size must be a multiple of 188 (whole TS packets), got 1000',
    );
  });
});

describeWithPeers(['ffmpeg', 'ffprobe', 'srt-live-transmit'], 'e2e: srt push from the StreamMap', () => {
  it('<Protocol>srt</Protocol> pushes every matching stream; the capture decodes', async () => {
    const port = await freeUdpPort();
    const receiver = startSrtReceiver('srt-live-transmit', { port, latencyMs: 120 });
    const url = `srt://127.0.0.1:${port}?latency=120000&amp;streamid=\${Application}/\${SourceStream}`;
    const t = await startTestServer({
      streamMapXml: `<PushInfo><Push><Enable>true</Enable><StreamName>map*</StreamName><Protocol>srt</Protocol><Url>${url}</Url></Push></PushInfo>`,
    });
    const publisher = startFfmpegPublisher(t.ingestUrl('map1'));
    try {
      let id = '';
      await waitFor(
        async () => {
          const list = await t.api<{ id: string; isConfig: boolean; sentBytes: number; url: string }[]>(
            'POST',
            `${APP}:pushes`,
          );
          const push = list.body?.response?.find((p) => p.isConfig);
          id = push?.id ?? '';
          return (push?.sentBytes ?? 0) > 300_000;
        },
        30_000,
        'the StreamMap push carrying media',
      );
      const record = await t.push(id);
      expect(record).toMatchObject({ protocol: 'srt', isConfig: true, streamKey: '', state: 'pushing' });
      expect(record?.url).toBe(`srt://127.0.0.1:${port}?latency=120000&streamid=app/map1`);
      await stopFfmpeg(publisher);
      await t.waitForState(id, 'ready', 15_000);
    } finally {
      await stopFfmpeg(publisher);
      await t.close();
      await receiver.stop();
    }
    await expectDecodes(receiver.file, undefined, receiver.process.stderr());
  });
});
