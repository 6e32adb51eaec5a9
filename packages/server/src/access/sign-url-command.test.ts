import { describe, expect, it } from 'vitest';
import { checkSignedPolicy } from './signed-policy.js';
import { parseTimeArgument, runSignUrlCommand, signUrlFromArgs } from './sign-url-command.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const config = { policyKey: 'policy', signatureKey: 'signature', secretKey: 'K', providers: ['rtmp'] };

describe('sluice sign-url', () => {
  it('makes a URL the SignedPolicy check accepts, with every policy field', () => {
    const url = signUrlFromArgs(
      ['--secret', 'K', '--url', 'rtmp://h/app/s', '--expire', '2026-12-31T00:00:00Z', '--activate=+1h'],
      NOW,
    );
    expect(url).toMatch(/^rtmp:\/\/h:1935\/app\/s\?policy=[\w-]+&signature=[\w-]+$/);
    const policy = JSON.parse(Buffer.from(/policy=([\w-]+)/.exec(url)![1]!, 'base64url').toString()) as unknown;
    expect(policy).toEqual({ url_expire: Date.parse('2026-12-31T00:00:00Z'), url_activate: NOW + 3_600_000 });
    expect(checkSignedPolicy(config, url, '10.0.0.1', NOW + 2 * 3_600_000)).toMatchObject({ ok: true });
    const full = signUrlFromArgs(
      [
        '--secret',
        'K',
        '--url',
        'rtmp://h:1936/app/s',
        '--expire',
        '+2d',
        '--stream-expire',
        String(NOW + 60_000),
        '--allow-ip',
        '10.0.0.0/8',
        '--policy-key',
        'p',
        '--signature-key',
        'sig',
      ],
      NOW,
    );
    expect(full).toMatch(/^rtmp:\/\/h:1936\/app\/s\?p=[\w-]+&sig=[\w-]+$/);
    expect(checkSignedPolicy({ ...config, policyKey: 'p', signatureKey: 'sig' }, full, '10.1.2.3', NOW)).toEqual({
      ok: true,
      streamExpireAt: NOW + 60_000,
    });
  });

  it('reads times as ISO 8601, milliseconds or +N units', () => {
    expect(parseTimeArgument('--expire', '+30s', NOW)).toBe(NOW + 30_000);
    expect(parseTimeArgument('--expire', '+5m', NOW)).toBe(NOW + 300_000);
    expect(parseTimeArgument('--expire', '1700000000000', NOW)).toBe(1_700_000_000_000);
    expect(() => parseTimeArgument('--expire', 'tomorrow', NOW)).toThrow('--expire must be an ISO 8601 time');
  });

  it('answers usage errors on stderr with exit 2, --help on stdout', () => {
    const out: string[] = [];
    const err: string[] = [];
    const run = (args: string[]): number =>
      runSignUrlCommand(args, { write: (t: string) => out.push(t) }, { write: (t: string) => err.push(t) });
    expect(run(['--help'])).toBe(0);
    expect(out.join('')).toContain('--stream-expire TIME');
    expect(run(['--url', 'rtmp://h/a/s', '--expire', '+1h'])).toBe(2);
    expect(run(['--secret', 'K', '--url', 'rtmp://h/a/s', '--expire', '+1h', '--allow-ip', '10.0.0.0/99'])).toBe(2);
    expect(run(['--secret', 'K', '--url', 'srt://h/a/s', '--expire', '+1h'])).toBe(2);
    expect(run(['--secret', 'K', '--url', 'rtmp://h/a/s', '--expire', '+1h', '--activate', '+2h'])).toBe(2);
    expect(run(['--secret', 'K', '--bogus'])).toBe(2);
    expect(err).toEqual([
      'sluice sign-url: --secret is required (see sluice sign-url --help)\n',
      'sluice sign-url: --allow-ip must be a CIDR, got "10.0.0.0/99"\n',
      'sluice sign-url: --url: the URL needs a port (srt://h/a/s)\n',
      'sluice sign-url: --activate must be before --expire\n',
      'sluice sign-url: unknown option "--bogus" (see sluice sign-url --help)\n',
    ]);
  });
});
