/**
 * End-to-end: SignedPolicy with a real ffmpeg publisher — valid, missing, tampered,
 * expired, not yet active, wrong IP, stream_expire ending a running publish — and
 * SignedPolicy together with AdmissionWebhooks (the policy first, then the webhook).
 */
import { describeWithPeers, waitFor, type PeerProcess } from '@sluice/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signUrl, type UrlPolicy } from '../access/url-signing.js';
import { ffmpegPublishers, startAccessServer, type AccessServer } from './access-fixture.js';
import { startControlServer, type ControlServer } from './control-server.js';

const SECRET = 'e2e-policy-secret';
const HOUR = 3_600_000;

describeWithPeers(['ffmpeg'], 'e2e: SignedPolicy', () => {
  let access: AccessServer;
  const { publish, stopAll } = ffmpegPublishers();
  beforeAll(async () => {
    access = await startAccessServer(
      `<SignedPolicy><SecretKey>${SECRET}</SecretKey><Enables><Providers>rtmp</Providers></Enables></SignedPolicy>`,
    );
  });
  afterEach(() => stopAll());
  afterAll(() => access?.close());

  const signed = (name: string, policy: Partial<UrlPolicy>): string =>
    signUrl({ secretKey: SECRET, url: access.url(name), policy: { url_expire: Date.now() + HOUR, ...policy } });
  const live = (name: string) => access.server.hub.stream({ vhost: 'default', app: 'app', name }) !== undefined;

  async function expectRefused(p: PeerProcess, name: string, cause: string, reason: string): Promise<void> {
    const code = await p.exited;
    expect(code, p.stderr()).not.toBe(0);
    expect(p.stderr()).toContain(reason);
    expect(live(name)).toBe(false);
    expect(await access.streams()).not.toContain(name);
    expect(access.refusals.find((e) => e.stream === name)).toMatchObject({ cause, protocol: 'rtmp' });
  }

  it('valid: the publish goes live under the name without the query', async () => {
    publish(signed('ok', {}));
    await waitFor(() => live('ok'), 15_000, 'ok live');
    expect(await access.streams()).toContain('ok');
  });

  it('missing, tampered, expired, not yet active, wrong IP: refused with the reason', async () => {
    await expectRefused(publish(access.url('plain')), 'plain', 'policy-missing', 'the URL has no policy parameter');
    const tampered = signed('mine', {}).replace('/app/mine', '/app/theirs');
    await expectRefused(publish(tampered), 'theirs', 'policy-signature', 'the signature does not match');
    await expectRefused(
      publish(signed('old', { url_expire: Date.now() - 1000 })),
      'old',
      'policy-expired',
      'expired at',
    );
    await expectRefused(
      publish(signed('early', { url_activate: Date.now() + HOUR / 2 })),
      'early',
      'policy-not-active',
      'is not valid before',
    );
    await expectRefused(
      publish(signed('far', { allow_ip: '10.0.0.0/8' })),
      'far',
      'policy-ip',
      'address 127.0.0.1 is not in allow_ip 10.0.0.0/8',
    );
    expect(access.server.admission.refusals.get('policy-ip')).toBe(1);
  });

  it('an allow_ip range that holds the encoder admits it', async () => {
    publish(signed('near', { allow_ip: '127.0.0.0/8' }));
    await waitFor(() => live('near'), 15_000, 'near live');
  });

  it('stream_expire ends a running publish then', async () => {
    const p = publish(signed('brief', { stream_expire: Date.now() + 4000 }));
    await waitFor(() => live('brief'), 15_000, 'brief live');
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 20_000))]);
    expect(p.child.exitCode ?? p.child.signalCode, 'ffmpeg ended by the server').not.toBeNull();
    expect(live('brief')).toBe(false);
  });
});

describeWithPeers(['ffmpeg'], 'e2e: SignedPolicy and AdmissionWebhooks together', () => {
  let access: AccessServer;
  let control: ControlServer;
  const { publish, stopAll } = ffmpegPublishers();
  beforeAll(async () => {
    control = await startControlServer('hook-secret', (r) =>
      r.body.request.url.includes('/app/vetoed')
        ? { json: { allowed: false, reason: 'vetoed by the control server' } }
        : { json: { allowed: true } },
    );
    access = await startAccessServer(`<SignedPolicy><SecretKey>${SECRET}</SecretKey></SignedPolicy>
      <AdmissionWebhooks><ControlServerUrl>${control.url}</ControlServerUrl><SecretKey>hook-secret</SecretKey></AdmissionWebhooks>`);
  });
  afterEach(() => stopAll());
  afterAll(async () => {
    await access?.close();
    await control?.close();
  });
  const signed = (name: string): string =>
    signUrl({ secretKey: SECRET, url: access.url(name), policy: { url_expire: Date.now() + HOUR } });

  describe('both must pass, the signed policy first', () => {
    it('an unsigned URL is refused without asking the control server', async () => {
      const p = publish(access.url('unsigned'));
      expect(await p.exited).not.toBe(0);
      expect(access.refusals.find((e) => e.stream === 'unsigned')).toMatchObject({ cause: 'policy-missing' });
      expect(control.requests).toEqual([]);
    });

    it('a signed URL the control server refuses is refused; one it allows goes live', async () => {
      const vetoed = publish(signed('vetoed'));
      expect(await vetoed.exited).not.toBe(0);
      expect(vetoed.stderr()).toContain('vetoed by the control server');
      publish(signed('both'));
      await waitFor(
        () => access.server.hub.stream({ vhost: 'default', app: 'app', name: 'both' }) !== undefined,
        15_000,
        'both live',
      );
      const opening = control.of('opening').map((r) => r.body.request.url);
      expect(opening).toEqual([
        expect.stringMatching(
          new RegExp(`^rtmp://127\\.0\\.0\\.1:${access.rtmpPort}/app/vetoed\\?policy=[\\w-]+&signature=[\\w-]+$`),
        ),
        expect.stringMatching(
          new RegExp(`^rtmp://127\\.0\\.0\\.1:${access.rtmpPort}/app/both\\?policy=[\\w-]+&signature=[\\w-]+$`),
        ),
      ]);
      expect(control.requests.every((r) => r.signatureOk)).toBe(true);
    });
  });
});
