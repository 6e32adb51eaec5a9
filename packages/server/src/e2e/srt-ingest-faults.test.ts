/**
 * End-to-end, the srt ingest when things go wrong: refusals answered with SRT_REJX_* codes and
 * reported with their reason (a taken name 1409, unknown app 1404, no stream ID 1400,
 * m=request 1405); encrypted ingest (SRTO_PASSPHRASE) from ffmpeg with pbkeylen 16, 24 and 32
 * and from srt-live-transmit and GStreamer at 1 s latency (the media decrypts: pushed on, it
 * decodes), a
 * wrong or missing passphrase refused (10, 11) and the name free again; a publisher that
 * vanishes (SIGKILL) ends its stream at the peer idle timeout and its push goes back to
 * `ready`; garbage between TS packets is skipped; a handshake flood leaves the port serving.
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPeers, expectDecodes, freeUdpPort, readFixture, waitFor } from '@sluice/test-support';
import type { PeerProcess } from '@sluice/test-support';
import { SrtCaller, SrtConnectionError, SrtRejectPredefined, SrtRejectReason } from '@sluice/srt';
import type { SrtConnection } from '@sluice/srt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefusedPublishEvent } from '../access/publish-admission.js';
import { sleep, startTestServer } from './harness.js';
import type { TestServer } from './harness.js';
import { ffmpegSrtUrl, generateLiveTs, startFfmpegTsPublisher, startFfmpegUdpReceiver, stopFfmpeg } from './peers.js';
import { startGstSrtPublisher, startSltPublisher } from './srt-publishers.js';

const PASSPHRASE = 'sluice-ingest-secret';
const TS = readFixture('h264-high-aac.ts');

/** The fixture's TS in 1316-byte payloads (7 packets). */
function tsPayloads(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + 1316 <= TS.length; i += 1316) out.push(Buffer.from(TS.subarray(i, i + 1316)));
  return out;
}

/** Connects a caller of our own; resolves with the connection or the SrtConnectionError. */
async function call(port: number, streamId: string, passphrase?: string): Promise<SrtConnection | SrtConnectionError> {
  try {
    return await SrtCaller.connect({ host: '127.0.0.1', port, streamId, passphrase, connectTimeoutMs: 5000 });
  } catch (e) {
    if (e instanceof SrtConnectionError) return e;
    throw e;
  }
}

async function rejected(port: number, streamId: string, passphrase?: string): Promise<SrtConnectionError> {
  const result = await call(port, streamId, passphrase);
  if (!(result instanceof SrtConnectionError)) {
    result.close();
    throw new Error(`${streamId} was accepted`);
  }
  return result;
}

const live = (t: TestServer, name: string): boolean =>
  t.server.hub.stream({ vhost: 'default', app: 'app', name }) !== undefined;

describe('e2e: srt ingest faults (our own caller)', () => {
  let t: TestServer;
  const refused: RefusedPublishEvent[] = [];

  beforeAll(async () => {
    t = await startTestServer({ srt: { options: { SRTO_PEERIDLETIMEO: '2000' } } });
    t.server.events.on('publishRefused', (e) => refused.push(e));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses with SRT_REJX_* codes and reports the reason: taken 1409, unknown app 1404, no stream ID 1400, m=request 1405', async () => {
    const first = await call(t.srtPort, 'default/app/taken');
    expect(first).not.toBeInstanceOf(SrtConnectionError);
    try {
      const cases: [string, number, string][] = [
        ['default/app/taken', SrtRejectPredefined.Conflict, 'Stream default/app/taken is already being published.'],
        ['default/nope/x', SrtRejectPredefined.NotFound, 'Could not find the application: [default/nope]'],
        ['elsewhere/app/x', SrtRejectPredefined.NotFound, 'Could not find the virtual host: [elsewhere]'],
        ['', SrtRejectPredefined.BadRequest, 'Bad stream ID: the caller sent no stream ID'],
        ['#!::r=app/x,m=request', SrtRejectPredefined.BadMode, 'The stream ID asks for m=request'],
      ];
      for (const [streamId, code, reason] of cases) {
        const error = await rejected(t.srtPort, streamId);
        expect(error.code, streamId).toBe('rejected');
        expect(error.rejectReason, streamId).toBe(code);
        expect(refused.at(-1)?.reason, streamId).toContain(reason);
        expect(refused.at(-1)?.protocol).toBe('srt');
      }
    } finally {
      (first as SrtConnection).close();
    }
    // the publisher left: the name is free again
    await waitFor(
      async () => {
        const again = await call(t.srtPort, 'default/app/taken');
        if (again instanceof SrtConnectionError) return false;
        again.close();
        return true;
      },
      10_000,
      'default/app/taken free again',
    );
  });

  it('skips garbage between TS packets: the stream goes live with its tracks', async () => {
    const conn = await call(t.srtPort, 'default/app/junk');
    if (conn instanceof SrtConnectionError) throw conn;
    try {
      const payloads = tsPayloads();
      for (let i = 0; i < payloads.length; i++) {
        conn.send(payloads[i]!);
        if (i % 5 === 0) conn.send(randomBytes(1316)); // not TS: sync is lost and regained
        if (i % 20 === 0) await sleep(10);
      }
      await t.waitForLive('junk');
      const tracks = t.server.hub.stream({ vhost: 'default', app: 'app', name: 'junk' })?.tracks ?? [];
      expect(tracks.map((track) => track.codec).sort()).toEqual(['aac', 'h264']);
    } finally {
      conn.close();
    }
  });

  it('a handshake flood (garbage, inductions, conclusions with bad cookies) leaves the port serving', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const handshake = (type: number, cookie: number): Buffer => {
      const b = Buffer.alloc(64);
      b.writeUInt16BE(0x8000, 0); // control, handshake
      b.writeUInt32BE(5, 16); // version
      b.writeUInt32BE(randomBytes(4).readUInt32BE(0) & 0x7fffffff, 24); // initial sequence
      b.writeUInt32BE(1500, 28);
      b.writeUInt32BE(8192, 32);
      b.writeInt32BE(type, 36);
      b.writeUInt32BE(randomBytes(4).readUInt32BE(0) & 0x7fffffff, 40); // socket id
      b.writeUInt32BE(cookie, 44);
      return b;
    };
    for (let i = 0; i < 3000; i++) {
      const kind = i % 3;
      const datagram = kind === 0 ? randomBytes(1 + (i % 1400)) : handshake(kind === 1 ? 1 : -1, i);
      socket.send(datagram, t.srtPort, '127.0.0.1');
      if (i % 200 === 0) await sleep(5);
    }
    socket.close();
    const conn = await call(t.srtPort, 'default/app/after-flood');
    expect(conn).not.toBeInstanceOf(SrtConnectionError);
    (conn as SrtConnection).close();
  });
});

describeWithPeers(['ffmpeg'], 'e2e: srt ingest faults (ffmpeg publishers)', () => {
  let t: TestServer;
  let secure: TestServer;
  const peers: PeerProcess[] = [];

  beforeAll(async () => {
    t = await startTestServer({ srt: { options: { SRTO_PEERIDLETIMEO: '2000' } } });
    secure = await startTestServer({ srt: { options: { SRTO_PASSPHRASE: PASSPHRASE, SRTO_PBKEYLEN: '16' } } });
  });
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop(2000)));
    await t?.close();
    await secure?.close();
  });

  it('encrypted ingest: ffmpeg with the passphrase (pbkeylen 16, 24 and 32) publishes; wrong (10) or none (11) is refused, the name stays free', async () => {
    for (const [name, pbkeylen] of [
      ['enc16', 16],
      ['enc24', 24],
      ['enc32', 32],
    ] as const) {
      peers.push(
        startFfmpegTsPublisher(
          ffmpegSrtUrl(secure.srtPort, `default/app/${name}`, `&passphrase=${PASSPHRASE}&pbkeylen=${pbkeylen}`),
        ),
      );
      await secure.waitForLive(name);
    }
    const wrong = await rejected(secure.srtPort, 'default/app/enc-wrong', 'not-the-passphrase');
    expect(wrong.rejectReason).toBe(SrtRejectReason.BadSecret);
    const none = await rejected(secure.srtPort, 'default/app/enc-wrong');
    expect(none.rejectReason).toBe(SrtRejectReason.Unsecure);
    const ffmpegWrong = startFfmpegTsPublisher(
      ffmpegSrtUrl(secure.srtPort, 'default/app/enc-wrong', '&passphrase=not-the-passphrase'),
    );
    peers.push(ffmpegWrong);
    expect(await Promise.race([ffmpegWrong.exited, sleep(15_000).then(() => 'still running')])).not.toBe(0);
    expect(live(secure, 'enc-wrong')).toBe(false);
    // the refused callers' claims were released: the name can be published
    const right = await call(secure.srtPort, 'default/app/enc-wrong', PASSPHRASE);
    expect(right).not.toBeInstanceOf(SrtConnectionError);
    (right as SrtConnection).close();
  });

  it('a publisher that vanishes (SIGKILL) ends its stream at the peer idle timeout; its push goes back to ready', async () => {
    const publisher = startFfmpegTsPublisher(ffmpegSrtUrl(t.srtPort, 'default/app/gone'));
    await t.waitForLive('gone');
    const started = await t.api('POST', '/v1/vhosts/default/apps/app:startPush', {
      id: 'gone-udp',
      stream: { name: 'gone' },
      protocol: 'mpegts',
      url: 'udp://127.0.0.1:9',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    await t.waitForState('gone-udp', 'pushing', 20_000);
    publisher.child.kill('SIGKILL');
    await publisher.exited;
    const killedAt = Date.now();
    await waitFor(() => !live(t, 'gone'), 15_000, 'the stream ended');
    const after = Date.now() - killedAt;
    expect(after).toBeGreaterThanOrEqual(1000); // ended by the idle timeout (2 s), not at once
    await t.waitForState('gone-udp', 'ready', 10_000);
    expect((await t.api('POST', '/v1/vhosts/default/apps/app:stopPush', { id: 'gone-udp' })).status).toBe(200);
    await stopFfmpeg(publisher);
  });
});

describeWithPeers(
  ['ffmpeg', 'ffprobe', 'srt-live-transmit', 'gstreamer'],
  'e2e: srt ingest, encrypted libsrt callers at 1 s latency',
  () => {
    let secure: TestServer;
    let source: string;
    const peers: PeerProcess[] = [];

    /** Pushes stream `name` to a UDP receiver until 300 kB went out; the capture must decode. */
    const expectPushedDecodes = async (name: string): Promise<void> => {
      const udpPort = await freeUdpPort();
      const file = join(mkdtempSync(join(tmpdir(), 'sluice-srt-enc-')), `${name}.ts`);
      const receiver = startFfmpegUdpReceiver(udpPort, file);
      const id = `${name}-udp`;
      const body = { id, stream: { name }, protocol: 'mpegts', url: `udp://127.0.0.1:${udpPort}` };
      const started = await secure.api('POST', '/v1/vhosts/default/apps/app:startPush', body);
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      await secure.waitForState(id, 'pushing', 20_000);
      await waitFor(async () => ((await secure.push(id))?.sentBytes ?? 0) > 300_000, 30_000, `media of ${id}`);
      expect((await secure.api('POST', '/v1/vhosts/default/apps/app:stopPush', { id })).status).toBe(200);
      await secure.waitForGone(id);
      await Promise.race([receiver.exited, sleep(6000)]);
      await stopFfmpeg(receiver);
      await expectDecodes(file);
    };

    beforeAll(async () => {
      source = await generateLiveTs();
      secure = await startTestServer({
        srt: { options: { SRTO_PASSPHRASE: PASSPHRASE, SRTO_PBKEYLEN: '16', SRTO_LATENCY: '1000' } },
      });
    });
    afterAll(async () => {
      await Promise.all(peers.map((p) => stopFfmpeg(p)));
      await secure?.close();
    });

    it('srt-live-transmit (udp:// → srt://, pbkeylen 24, latency 1000 ms): live, decrypted, pushed on it decodes', async () => {
      const query = `streamid=default/app/slt-enc&passphrase=${PASSPHRASE}&pbkeylen=24&latency=1000`;
      peers.push(...(await startSltPublisher(`srt://127.0.0.1:${secure.srtPort}?${query}`, source)));
      await secure.waitForLive('slt-enc', 20_000);
      await expectPushedDecodes('slt-enc');
    });

    it('GStreamer srtsink (pbkeylen 32, latency 1000 ms): live, decrypted, pushed on it decodes', async () => {
      peers.push(
        startGstSrtPublisher(source, `srt://127.0.0.1:${secure.srtPort}?mode=caller&streamid=default/app/gst-enc`, [
          `passphrase=${PASSPHRASE}`,
          'pbkeylen=32',
          'latency=1000',
        ]),
      );
      await secure.waitForLive('gst-enc', 20_000);
      await expectPushedDecodes('gst-enc');
    });
  },
);
