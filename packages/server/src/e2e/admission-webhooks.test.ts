/**
 * End-to-end: AdmissionWebhooks with a real ffmpeg (and GStreamer) publisher and a real
 * node:http control server that checks X-OME-Signature on every request.
 */
import {
  describeWithPeers,
  fixturePath,
  runCommand,
  waitFor,
  type CommandResult,
  type PeerProcess,
} from '@sluice/test-support';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ffmpegPublishers, startAccessServer, type AccessServer } from './access-fixture.js';
import { startControlServer, type ControlServer } from './control-server.js';
import { stopFfmpeg } from './peers.js';

const SECRET = 'e2e-webhook-secret';
const TIMEOUT_MS = 1500;

describeWithPeers(['ffmpeg'], 'e2e: AdmissionWebhooks', () => {
  let control: ControlServer;
  let access: AccessServer;
  const { publish, stopAll } = ffmpegPublishers();

  beforeAll(async () => {
    control = await startControlServer(SECRET);
    access = await startAccessServer(`<AdmissionWebhooks>
      <ControlServerUrl>${control.url}</ControlServerUrl>
      <SecretKey>${SECRET}</SecretKey>
      <Timeout>${TIMEOUT_MS}</Timeout>
      <Enables><Providers>rtmp,srt</Providers></Enables>
    </AdmissionWebhooks>`);
  });
  afterEach(async () => {
    await stopAll();
    // every request the control server ever got was signed correctly
    expect(control.requests.filter((r) => !r.signatureOk)).toEqual([]);
  });
  afterAll(async () => {
    await access?.close();
    await control?.close();
  });

  const openingFor = (name: string) => control.of('opening').filter((r) => r.body.request.url.includes(`/${name}`));
  const live = (name: string, app = 'app') => access.server.hub.stream({ vhost: 'default', app, name }) !== undefined;

  /** ffmpeg was refused: it exits with an error, saying the reason; nothing reached the hub or the API. */
  async function expectRefused(p: PeerProcess, name: string, reason: string | RegExp): Promise<void> {
    const code = await p.exited;
    expect(code, p.stderr()).not.toBe(0);
    expect(p.stderr()).toMatch(typeof reason === 'string' ? reason : reason);
    expect(live(name)).toBe(false);
    expect(await access.streams()).not.toContain(name);
    const event = access.refusals.find((e) => e.stream === name);
    expect(event).toMatchObject({ type: 'publishRefused', vhost: 'default', app: 'app', protocol: 'rtmp' });
    expect(event!.reason).toMatch(reason);
    expect(event!.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(access.busRefusals.find((e) => e['stream'] === name)).toMatchObject({
      type: 'publish.refused',
      vhost: 'default',
      app: 'app',
      protocol: 'rtmp',
      reason: event!.reason,
      remote: event!.remote,
    });
  }

  it('allowed: the publish goes live; the opening request is OME-shaped; closing is sent when it ends', async () => {
    control.answer = () => ({ json: { allowed: true } });
    const p = publish(`${access.url('cam1')}?key=abc`);
    await waitFor(() => live('cam1'), 15_000, 'cam1 live');
    expect(await access.streams()).toContain('cam1');
    const [opening] = openingFor('cam1');
    expect(opening!.body).toEqual({
      client: { address: '127.0.0.1', port: expect.any(Number) },
      request: {
        direction: 'incoming',
        protocol: 'rtmp',
        status: 'opening',
        url: `rtmp://127.0.0.1:${access.rtmpPort}/app/cam1?key=abc`,
        time: expect.any(String),
      },
    });
    await stopFfmpeg(p);
    await waitFor(
      () => control.of('closing').some((r) => r.body.request.url.endsWith('/cam1?key=abc')),
      10_000,
      'closing notice',
    );
    expect(live('cam1')).toBe(false);
  });

  it('refused: ffmpeg fails with the reason of the control server, nothing reaches the hub', async () => {
    control.answer = () => ({ json: { allowed: false, reason: 'unknown stream key' } });
    const before = access.server.admission.refusals.get('webhook-refused');
    await expectRefused(publish(access.url('cam2')), 'cam2', 'unknown stream key');
    expect(access.server.admission.refusals.get('webhook-refused')).toBe(before + 1);
    expect(control.of('closing').filter((r) => r.body.request.url.includes('/cam2'))).toEqual([]);
  });

  it('timeout: a control server slower than <Timeout> refuses, and does not hold other publishers', async () => {
    control.answer = (r) =>
      r.body.request.url.includes('/slow')
        ? { json: { allowed: true }, delayMs: TIMEOUT_MS * 4 }
        : { json: { allowed: true } };
    const slow = publish(access.url('slow'));
    await waitFor(() => openingFor('slow').length === 1, 10_000, 'the slow opening request');
    publish(access.url('quick'));
    await waitFor(() => live('quick'), 15_000, 'quick live while slow waits');
    await expectRefused(slow, 'slow', `no answer from ${control.url} within ${TIMEOUT_MS} ms`);
  });

  it('malformed answer, non-2xx status: refused', async () => {
    control.answer = () => ({ raw: (res) => res.writeHead(200).end('{"allowed": tru') });
    await expectRefused(publish(access.url('bad1')), 'bad1', 'unusable answer (not JSON)');
    control.answer = () => ({ json: { allowed: true }, status: 503 });
    await expectRefused(publish(access.url('bad2')), 'bad2', 'answered HTTP 503');
  });

  it('new_url: the stream appears under the new app and name; closing carries new_url', async () => {
    control.answer = () => ({ json: { allowed: true, new_url: 'rtmp://localhost:1935/moved/user42' } });
    const p = publish(`${access.url('secret-key-42')}`);
    await waitFor(() => live('user42', 'moved'), 15_000, 'moved/user42 live');
    expect(await access.streams('moved')).toEqual(['user42']);
    expect(await access.streams('app')).not.toContain('secret-key-42');
    await stopFfmpeg(p);
    await waitFor(
      () => control.of('closing').some((r) => r.body.request.url.includes('/secret-key-42')),
      10_000,
      'closing',
    );
    const closing = control.of('closing').find((r) => r.body.request.url.includes('/secret-key-42'))!;
    expect(closing.body.request.new_url).toBe('rtmp://localhost:1935/moved/user42');
  });

  it('lifetime: the publisher is disconnected after about the lifetime', async () => {
    control.answer = () => ({ json: { allowed: true, lifetime: 2500 } });
    const p = publish(access.url('short'));
    await waitFor(() => live('short'), 15_000, 'short live');
    const liveAt = Date.now();
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 20_000))]);
    const after = Date.now() - liveAt;
    expect(p.child.exitCode ?? p.child.signalCode, 'ffmpeg ended by the server').not.toBeNull();
    expect(after).toBeGreaterThan(1500);
    expect(live('short')).toBe(false);
    await waitFor(() => control.of('closing').some((r) => r.body.request.url.includes('/short')), 10_000, 'closing');
  });
});

describeWithPeers(['gstreamer'], 'e2e: AdmissionWebhooks with a GStreamer rtmp2sink publisher', () => {
  let control: ControlServer;
  let access: AccessServer;
  beforeAll(async () => {
    control = await startControlServer(SECRET, (r) =>
      r.body.request.url.endsWith('?token=good')
        ? { json: { allowed: true } }
        : { json: { allowed: false, reason: 'bad token' } },
    );
    access = await startAccessServer(
      `<AdmissionWebhooks><ControlServerUrl>${control.url}</ControlServerUrl><SecretKey>${SECRET}</SecretKey></AdmissionWebhooks>`,
    );
  });
  afterAll(async () => {
    await access?.close();
    await control?.close();
  });

  /** gst-launch remuxing an FLV fixture into rtmp2sink (Debian's GStreamer has no x264enc). */
  const gst = (location: string): Promise<CommandResult> =>
    runCommand(
      'gst-launch-1.0',
      [
        '-q',
        ...`filesrc location=${fixturePath('h264-baseline-aac.flv')} ! flvdemux name=d flvmux name=m streamable=true ! rtmp2sink sync=false location=${location} d.video ! queue ! h264parse ! m. d.audio ! queue ! aacparse ! m.`.split(
          ' ',
        ),
      ],
      30_000,
    );

  it('admits the token the control server accepts and refuses another', async () => {
    const started: string[] = [];
    access.server.events.on('streamStart', (info) => started.push(info.ref.name));
    const good = await gst(`${access.url('gst')}?token=good`);
    expect(good.code, good.stderr).toBe(0);
    expect(started).toEqual(['gst']);
    const bad = await gst(`${access.url('gst2')}?token=bad`);
    expect(bad.code).not.toBe(0);
    expect(access.refusals.find((e) => e.stream === 'gst2')).toMatchObject({
      reason: 'bad token',
      cause: 'webhook-refused',
    });
    expect(started).toEqual(['gst']);
    expect(control.of('opening').map((r) => r.body.request.url)).toEqual([
      `rtmp://127.0.0.1:${access.rtmpPort}/app/gst?token=good`,
      `rtmp://127.0.0.1:${access.rtmpPort}/app/gst2?token=bad`,
    ]);
    expect(control.requests.every((r) => r.signatureOk)).toBe(true);
  });
});
