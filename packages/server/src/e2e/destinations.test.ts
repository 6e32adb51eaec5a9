/**
 * End-to-end, the other destinations of the README: an rtmps:// destination (nginx-rtmp
 * behind nginx's TLS stream proxy, certificate verified against its CA), as to
 * YouTube/Facebook/Twitch ingest; and MPEG-TS over TCP to a listening ffmpeg.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describeWithPeers, expectDecodes, freeTcpPort, startNginxRtmp, waitFor } from '@sluice/test-support';
import type { NginxRtmp, PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, startTestServer } from './harness.js';
import type { TestServer } from './harness.js';
import { startFfmpegPublisher, startFfmpegTsReceiver, stopFfmpeg } from './peers.js';

const APP = '/v1/vhosts/default/apps/app';

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'e2e: rtmps and tcp:// destinations', () => {
  let nginx: NginxRtmp;
  let t: TestServer;
  let publisher: PeerProcess | undefined;

  beforeAll(async () => {
    nginx = await startNginxRtmp({ apps: ['live'], tls: true });
    t = await startTestServer({ rtmpsCa: readFileSync(join(nginx.dir, 'cert.pem'), 'utf8') });
  });

  afterAll(async () => {
    if (publisher) await stopFfmpeg(publisher);
    await t?.close();
    await nginx?.stop();
  });

  it('pushes over TLS with the certificate checked; the recording decodes', async () => {
    publisher = startFfmpegPublisher(t.ingestUrl('secure'));
    await t.waitForLive('secure');
    const url = `rtmps://127.0.0.1:${nginx.tlsPort}/live`;
    const started = await t.api('POST', `${APP}:startPush`, {
      id: 'tls',
      stream: { name: 'secure' },
      protocol: 'rtmp',
      url,
      streamKey: 'tls',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    await t.waitForState('tls', 'pushing');
    await waitFor(async () => ((await t.push('tls'))?.sentBytes ?? 0) > 100_000, 10_000, 'media over TLS');
    expect((await t.api('POST', `${APP}:stopPush`, { id: 'tls' })).status).toBe(200);
    await t.waitForGone('tls');
    const files = nginx.recordings().filter((f) => basename(f).startsWith('tls-'));
    expect(files).toHaveLength(1);
    await expectDecodes(files[0]!);
  });

  it('pushes MPEG-TS over TCP to a listening ffmpeg; the file decodes', async () => {
    const port = await freeTcpPort();
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-tcp-')), 'tcp.ts');
    const receiver = startFfmpegTsReceiver(`tcp://127.0.0.1:${port}?listen=1`, file);
    await sleep(1000); // listening (a probe connection would be its one client)
    const started = await t.api('POST', `${APP}:startPush`, {
      id: 'tcp',
      stream: { name: 'secure' },
      protocol: 'mpegts',
      url: `tcp://127.0.0.1:${port}`,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    await t.waitForState('tcp', 'pushing');
    await waitFor(async () => ((await t.push('tcp'))?.sentBytes ?? 0) > 100_000, 10_000, 'media over TCP');
    expect((await t.api('POST', `${APP}:stopPush`, { id: 'tcp' })).status).toBe(200);
    await t.waitForGone('tcp');
    await Promise.race([receiver.exited, sleep(5000)]); // EOF ends it
    await stopFfmpeg(receiver);
    await expectDecodes(file);
  });
});
