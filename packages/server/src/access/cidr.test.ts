import { describe, expect, it } from 'vitest';
import { parseCidr, unmapIpv4 } from './cidr.js';

describe('parseCidr', () => {
  it('matches IPv4 ranges, IPv4-mapped IPv6 peers included', () => {
    const range = parseCidr('192.168.0.0/24')!;
    expect(range.contains('192.168.0.1')).toBe(true);
    expect(range.contains('192.168.0.255')).toBe(true);
    expect(range.contains('192.168.1.1')).toBe(false);
    expect(range.contains('::ffff:192.168.0.7')).toBe(true);
    expect(range.contains('::ffff:192.168.9.7')).toBe(false);
    expect(range.contains('2001:db8::1')).toBe(false);
    expect(range.contains('not an address')).toBe(false);
  });

  it('matches IPv6 ranges and single hosts', () => {
    const range = parseCidr('2001:db8::/32')!;
    expect(range.contains('2001:db8:1::5')).toBe(true);
    expect(range.contains('2001:db9::5')).toBe(false);
    expect(range.contains('10.0.0.1')).toBe(false);
    expect(parseCidr('127.0.0.1')!.contains('127.0.0.1')).toBe(true);
    expect(parseCidr('127.0.0.1')!.contains('127.0.0.2')).toBe(false);
    expect(parseCidr('::1/128')!.contains('::1')).toBe(true);
    expect(parseCidr('0.0.0.0/0')!.contains('203.0.113.9')).toBe(true);
  });

  it('refuses what is not a CIDR', () => {
    for (const bad of ['', '10.0.0.0/33', '::/129', '10.0.0/8', '10.0.0.0/', '10.0.0.0/-1', 'host/8', '10.0.0.0/8/8'])
      expect(parseCidr(bad), bad).toBeUndefined();
  });

  it('unmaps only IPv4-mapped addresses', () => {
    expect(unmapIpv4('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(unmapIpv4('::1')).toBe('::1');
  });
});
