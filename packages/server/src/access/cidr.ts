/**
 * CIDR ranges (IPv4 `192.168.0.0/24`, IPv6 `2001:db8::/32`, or a bare address = one host)
 * and whether an address lies in one. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what
 * a dual-stack socket reports for IPv4 peers) is matched as the IPv4 address it carries.
 */
import { BlockList, isIP } from 'node:net';

/** A parsed CIDR range. */
export interface CidrRange {
  /** The text it was parsed from. */
  readonly text: string;
  /** True when `address` (IPv4 or IPv6 text) lies in the range. */
  contains(address: string): boolean;
}

/** Parses `a.b.c.d/n`, `v6::/n` or a bare address; undefined when it is not one. */
export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  const address = slash >= 0 ? text.slice(0, slash) : text;
  const family = isIP(address);
  if (family === 0) return undefined;
  const maxPrefix = family === 4 ? 32 : 128;
  const prefixText = slash >= 0 ? text.slice(slash + 1) : String(maxPrefix);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > maxPrefix) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  list.addSubnet(address, prefix, type);
  return {
    text,
    contains(candidate: string): boolean {
      const plain = unmapIpv4(candidate);
      const candidateFamily = isIP(plain);
      if (candidateFamily === 0) return false;
      return list.check(plain, candidateFamily === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything else unchanged. */
export function unmapIpv4(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m !== null ? (m[1] ?? address) : address;
}
