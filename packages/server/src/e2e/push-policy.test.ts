/**
 * End-to-end, issue 12: an application's `<Push><Destinations>` and `<MaxPushes>` with a
 * real server (REST API), an ffmpeg publisher and nginx-rtmp destinations on 127.0.0.1.
 * `<DenyInternal>` stays on (the default), so 127.0.0.1 is allowed by name in `<Allow>`;
 * the server's resolver is injected so that `rebind.test` can answer 127.0.0.1 first and
 * a denied address later (DNS rebinding), without a hosts file.
 */
import { basename } from 'node:path';
import type { ResolvedAddress } from '@sluice/media';
import type { PushRecord } from '@sluice/push';
import { describeWithPeers, ffprobe, startNginxRtmp, waitFor } from '@sluice/test-support';
import type { NginxRtmp, PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer } from './harness.js';
import type { TestServer } from './harness.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';

const APP = '/v1/vhosts/default/apps/app';
const MAX_PUSHES = 3;
const POLICY_XML = `<MaxPushes>${MAX_PUSHES}</MaxPushes>
<Destinations><Allow>127.0.0.1</Allow><Deny>10.0.0.0/8</Deny><Deny>*.denied.test</Deny></Destinations>`;

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp'], 'e2e: push destination policy and MaxPushes', () => {
  let nginx: NginxRtmp;
  let rebindNginx: NginxRtmp;
  let t: TestServer;
  let publisher: PeerProcess | undefined;
  /** What the injected resolver answers for rebind.test. */
  let rebindAddress = '127.0.0.1';
  const lookups: string[] = [];

  const startPush = (body: Record<string, unknown>) =>
    t.api<PushRecord[]>('POST', `${APP}:startPush`, { stream: { name: 'cam' }, protocol: 'rtmp', ...body });

  beforeAll(async () => {
    nginx = await startNginxRtmp({ apps: ['live'] });
    rebindNginx = await startNginxRtmp({ apps: ['live'] });
    t = await startTestServer({
      pushXml: POLICY_XML,
      resolveHost: (host): Promise<readonly ResolvedAddress[]> => {
        lookups.push(host);
        if (host === 'rebind.test') return Promise.resolve([{ address: rebindAddress, family: 4 }]);
        if (host === 'internal.test') return Promise.resolve([{ address: '192.168.7.7', family: 4 }]);
        return Promise.resolve([{ address: host, family: host.includes(':') ? 6 : 4 }]);
      },
    });
    publisher = startFfmpegPublisher(t.ingestUrl('cam'));
    await t.waitForLive('cam');
  });

  afterAll(async () => {
    if (publisher !== undefined) await stopFfmpeg(publisher);
    await t?.close();
    await Promise.all([nginx?.stop(), rebindNginx?.stop()]);
  });

  it('a push to the allowed nginx-rtmp (127.0.0.1, named in <Allow>) flows; the recording decodes', async () => {
    const answer = await startPush({ id: 'allowed', url: nginx.url('live'), streamKey: 'allowed' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const record = await t.waitForState('allowed', 'pushing', 20_000);
    await waitFor(async () => ((await t.push('allowed'))?.sentBytes ?? 0) > 100_000, 20_000, 'allowed push sends');
    expect(record.lastError).toBeUndefined();
    const stop = await t.api('POST', `${APP}:stopPush`, { id: 'allowed' });
    expect(stop.status).toBe(200);
    await t.waitForGone('allowed');
    const file = nginx.recordings().find((f) => basename(f).startsWith('allowed-'));
    expect(file, `recordings: ${nginx.recordings().join(', ')}`).toBeDefined();
    const probe = await ffprobe(file as string);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
  });

  it('startPush answers 400 DestinationDenied for a denied CIDR, a denied host pattern and an internal address', async () => {
    const cases: Array<{ url: string; reason: RegExp }> = [
      { url: 'rtmp://10.1.2.3/live', reason: /Destination denied \[10\.1\.2\.3\] for application \[default\/app\]/ },
      { url: 'rtmp://cdn.denied.test/live', reason: /Destination denied \[cdn\.denied\.test\]/ },
      // DenyInternal (the default): 127.0.0.2 is loopback and <Allow> names only 127.0.0.1
      { url: 'rtmp://127.0.0.2/live', reason: /Destination denied \[127\.0\.0\.2\]/ },
      { url: 'rtmp://internal.test/live', reason: /Destination denied \[internal\.test\].*192\.168\.7\.7/ },
    ];
    for (const [index, { url, reason }] of cases.entries()) {
      const answer = await startPush({ id: `denied${index}`, url, streamKey: 'k' });
      expect(answer.status, `${url}: ${JSON.stringify(answer.body)}`).toBe(400);
      expect(answer.body?.message).toMatch(reason);
      expect(await t.push(`denied${index}`)).toBeUndefined();
    }
    // a denied host pattern is refused before any lookup
    expect(lookups).not.toContain('cdn.denied.test');
  });

  it('a name that resolves to a denied address on reconnect: the session never connects, lastError says why', async () => {
    rebindAddress = '127.0.0.1';
    const url = `rtmp://rebind.test:${rebindNginx.port}/live`;
    const answer = await startPush({ id: 'rebind', url, streamKey: 'rebind' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    await t.waitForState('rebind', 'pushing', 20_000);
    const before = (await t.push('rebind')) as PushRecord;
    // the name now answers a denied address, and the destination drops the connection
    rebindAddress = '10.9.9.9';
    await rebindNginx.stop();
    let record: PushRecord | undefined;
    await waitFor(
      async () => {
        record = await t.push('rebind');
        return (record?.sequence ?? 0) > before.sequence && /Destination denied/.test(record?.lastError ?? '');
      },
      30_000,
      () => `rebind push denied on reconnect (record: ${JSON.stringify(record)})`,
    );
    expect(record?.lastError).toMatch(
      /Destination denied \[rebind\.test\] for application \[default\/app\].*10\.9\.9\.9/,
    );
    expect(record?.state).not.toBe('pushing');
    // nginx is back, but the name still answers 10.9.9.9: the push stays refused
    await rebindNginx.restart();
    await new Promise((r) => setTimeout(r, 2000));
    expect((await t.push('rebind'))?.state).not.toBe('pushing');
    // the name answers 127.0.0.1 again: a later attempt connects
    rebindAddress = '127.0.0.1';
    await t.waitForState('rebind', 'pushing', 30_000);
  });

  it(`<MaxPushes>${MAX_PUSHES}: startPush beyond it answers 409 with the limit; after a stop there is room again`, async () => {
    const held = (await t.api<PushRecord[]>('POST', `${APP}:pushes`, {})).body?.response?.length ?? 0;
    for (let i = held; i < MAX_PUSHES; i++) {
      const answer = await startPush({ id: `cap${i}`, url: nginx.url('live'), streamKey: `cap${i}` });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
    const over = await startPush({ id: 'over', url: nginx.url('live'), streamKey: 'over' });
    expect(over.status, JSON.stringify(over.body)).toBe(409);
    expect(over.body?.message).toBe(
      `The application [default/app] already has ${MAX_PUSHES} pushes, the most its MaxPushes allows (409)`,
    );
    expect(await t.push('over')).toBeUndefined();
    const stop = await t.api('POST', `${APP}:stopPush`, { id: `cap${MAX_PUSHES - 1}` });
    expect(stop.status).toBe(200);
    await t.waitForGone(`cap${MAX_PUSHES - 1}`);
    const again = await startPush({ id: 'over', url: nginx.url('live'), streamKey: 'over' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
  });
});
