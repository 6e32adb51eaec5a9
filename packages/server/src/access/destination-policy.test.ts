import { DestinationDenied } from '@sluice/push';
import type { HostResolver, ResolvedAddress } from '@sluice/media';
import { describe, expect, it } from 'vitest';
import { DestinationPolicy, normaliseHost } from './destination-policy.js';

const policy = (allow: string[], deny: string[], denyInternal = true): DestinationPolicy =>
  new DestinationPolicy({ allow, deny, denyInternal }, 'default/app');

const at = (...addresses: string[]): ResolvedAddress[] =>
  addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

/** A resolver answering from a table (names absent from it do not resolve). */
const table =
  (entries: Record<string, string[]>): HostResolver =>
  (host) => {
    const found = entries[host];
    return found === undefined ? Promise.reject(new Error(`${host}: not found`)) : Promise.resolve(at(...found));
  };

describe('DestinationPolicy', () => {
  it('without rules allows everything but internal addresses; <DenyInternal>false allows those too', () => {
    const p = policy([], []);
    expect(p.refusal('a.youtube.com', at('142.250.1.1'))).toBeNull();
    expect(p.refusal('203.0.113.7', at('203.0.113.7'))).toBeNull();
    for (const internal of [
      '127.0.0.1',
      '127.5.6.7',
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '::1',
      '::',
      'fe80::1',
      'fe80::1%eth0',
      'fd00:ec2::254',
      'fc00::5',
    ])
      expect(p.refusal('x.example.com', at(internal)), internal).toContain('an internal address');
    expect(p.refusal('x', at('172.32.0.1'))).toBeNull(); // just outside 172.16/12
    expect(p.refusal('x', at('239.1.2.3'))).toBeNull(); // multicast is a usual udp:// destination
    expect(policy([], [], false).refusal('localhost', at('127.0.0.1'))).toBeNull();
  });

  it('says which address and which rule refused it', () => {
    expect(policy([], []).refusal('localhost', at('127.0.0.1'))).toBe(
      'it resolves to 127.0.0.1, an internal address (<DenyInternal> refuses loopback, private and link-local addresses unless an <Allow> names them)',
    );
    expect(policy([], ['203.0.113.0/24']).refusal('203.0.113.9', at('203.0.113.9'))).toBe(
      '203.0.113.9, in <Deny>203.0.113.0/24</Deny>',
    );
    expect(policy([], ['*.evil.example']).refusal('A.Evil.Example.', at('198.51.100.1'))).toBe(
      'it matches <Deny>*.evil.example</Deny>',
    );
    expect(policy(['*.youtube.com'], []).refusal('twitch.tv', at('198.51.100.1'))).toBe(
      'it resolves to 198.51.100.1, which no <Allow> names',
    );
  });

  it('matches CIDRs of both families, bare addresses, and IPv4-mapped IPv6 as IPv4', () => {
    const p = policy([], ['198.51.100.0/24', '2001:db8::/32', '203.0.113.7'], false);
    expect(p.refusal('h', at('198.51.100.200'))).toContain('<Deny>198.51.100.0/24</Deny>');
    expect(p.refusal('h', at('198.51.101.1'))).toBeNull();
    expect(p.refusal('h', at('2001:db8:1::9'))).toContain('<Deny>2001:db8::/32</Deny>');
    expect(p.refusal('h', at('2001:db9::1'))).toBeNull();
    expect(p.refusal('h', at('203.0.113.7'))).toContain('<Deny>203.0.113.7</Deny>');
    expect(p.refusal('h', at('203.0.113.8'))).toBeNull();
    expect(p.refusal('h', at('::ffff:198.51.100.3'))).toContain('it resolves to 198.51.100.3, in <Deny>');
    expect(p.refusal('h', at('::ffff:c633:6403'))).toContain('it resolves to 198.51.100.3, in <Deny>');
    const internal = policy([], []);
    expect(internal.refusal('::ffff:127.0.0.1', at('::ffff:127.0.0.1'))).toContain('127.0.0.1, an internal address');
    expect(internal.refusal('h', at('::ffff:7f00:1'))).toContain('an internal address');
    expect(internal.refusal('h', at('::ffff:a9fe:a9fe'))).toContain('169.254.169.254, an internal address');
  });

  it('deny wins over allow; an <Allow> address exempts it from <DenyInternal>, an <Allow> name does not', () => {
    const p = policy(['*.example.com', '10.0.0.0/8', '127.0.0.1'], ['10.9.0.0/16', 'bad.example.com']);
    expect(p.refusal('a.example.com', at('198.51.100.1'))).toBeNull();
    expect(p.refusal('bad.example.com', at('198.51.100.1'))).toContain('<Deny>bad.example.com</Deny>');
    expect(p.refusal('relay.lan', at('10.1.1.1'))).toBeNull();
    expect(p.refusal('relay.lan', at('10.9.1.1'))).toContain('<Deny>10.9.0.0/16</Deny>');
    expect(p.refusal('localhost', at('127.0.0.1'))).toBeNull();
    expect(p.refusal('localhost', at('127.0.0.2'))).toContain('an internal address');
    // an allowed name rebound to an internal address stays refused
    expect(p.refusal('rebind.example.com', at('169.254.169.254'))).toContain('an internal address');
    // every address must pass: one denied address refuses the name
    expect(p.refusal('a.example.com', at('198.51.100.1', '10.9.9.9'))).toContain('10.9.9.9');
    expect(p.refusal('x.net', at('10.1.1.1', '198.51.100.1'))).toContain('198.51.100.1, which no <Allow>');
  });

  it('host patterns: case, trailing dot, what * spans and what it does not', () => {
    const p = policy(['*.youtube.com', 'live-?.twitch.tv'], [], false);
    const allowed = (host: string): boolean => p.refusal(host, at('198.51.100.1')) === null;
    expect(allowed('a.youtube.com')).toBe(true);
    expect(allowed('A.B.YouTube.COM.')).toBe(true);
    expect(allowed('youtube.com')).toBe(false);
    expect(allowed('evilyoutube.com')).toBe(false);
    expect(allowed('a.youtube.com.evil.net')).toBe(false);
    expect(allowed('live-1.twitch.tv')).toBe(true);
    expect(allowed('live-12.twitch.tv')).toBe(false);
    expect(normaliseHost('[::1]')).toBe('::1');
  });

  it('resolver(): refuses a denied name before looking it up, checks every address, returns them for pinning', async () => {
    const looked: string[] = [];
    const base: HostResolver = (host) => {
      looked.push(host);
      return table({ 'ok.example': ['198.51.100.1', '2001:db8::1'], 'int.example': ['192.168.0.9'] })(host);
    };
    const resolve = policy([], ['*.blocked.example', '2001:db8::/32'], true).resolver(base);
    await expect(resolve('x.blocked.example')).rejects.toThrow(DestinationDenied);
    expect(looked).toEqual([]);
    await expect(resolve('ok.example')).rejects.toThrow(
      'Destination denied [ok.example] for application [default/app]: it resolves to 2001:db8::1, in <Deny>2001:db8::/32</Deny>',
    );
    await expect(resolve('int.example')).rejects.toThrow('192.168.0.9, an internal address');
    await expect(resolve('missing.example')).rejects.toThrow('missing.example: not found');
    const open = policy([], [], false).resolver(base);
    expect(await open('ok.example')).toEqual(at('198.51.100.1', '2001:db8::1'));
  });

  it('checks numeric host forms as the system resolves them (2130706433, 0x7f.1, 0177.0.0.1, 0)', async () => {
    const p = policy([], []);
    for (const host of ['2130706433', '0x7f.1', '0177.0.0.1', '127.1', '0', 'localhost'])
      await expect(p.checkAtStart(host), host).rejects.toThrow(/it resolves to (127\.0\.0\.1|0\.0\.0\.0), an internal/);
    await expect(p.checkAtStart('127.0.0.1')).rejects.toThrow('[127.0.0.1] for application [default/app]: 127.0.0.1,');
    await expect(p.checkAtStart('[::ffff:127.0.0.1]')).rejects.toThrow('127.0.0.1, an internal address');
  });

  it('checkAtStart() accepts a name that does not resolve yet (each connection attempt checks again)', async () => {
    const p = policy(['*.example.com'], []);
    await expect(p.checkAtStart('later.example.net', table({}))).resolves.toBeUndefined();
    await expect(p.checkAtStart('a.example.com', table({ 'a.example.com': ['10.0.0.1'] }))).rejects.toThrow(
      'an internal address',
    );
  });
});
