/**
 * Where the pushes of one application may go (`<Push><Destinations>`), checked after DNS
 * resolution at every connection attempt (the push registry hands `resolver()` to each
 * sink as PushTarget.resolveHost: the sink connects only to the addresses it returned, so
 * a second DNS answer cannot slip past the check) and at startPush (`checkAtStart`).
 *
 * A destination (the url's host as written, and every address it resolves to) is refused
 * when, in this order:
 * 1. the host matches a `<Deny>` host pattern;
 * 2. one of its addresses lies in a `<Deny>` CIDR or address;
 * 3. `<DenyInternal>` is on (the default) and one of its addresses is internal (loopback,
 *    private, shared/CGNAT, link-local with the cloud metadata address 169.254.169.254,
 *    unspecified, ULA incl. fd00:ec2::254) and no `<Allow>` CIDR or address names it;
 * 4. there are `<Allow>` entries, the host matches no `<Allow>` host pattern and one of
 *    its addresses lies in no `<Allow>` CIDR or address.
 * So deny wins; without `<Allow>` everything not denied is allowed. Host patterns match
 * the host as written (case-insensitive, a trailing dot ignored); `*` matches any run
 * of characters, dots included (`*.youtube.com` matches `a.b.youtube.com`, not
 * `youtube.com`). IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) count as their IPv4
 * address; numeric host forms (`2130706433`, `0x7f.1`) are checked as what they resolve to.
 */
import { isIP } from 'node:net';
import { DestinationDenied } from '@sluice/push';
import { resolveHostSystem, type HostResolver, type ResolvedAddress } from '@sluice/media';
import type { DestinationRulesConfig } from '../config/security-config.js';
import { compileGlob } from '../config/glob-pattern.js';
import { parseCidr, unmapIpv4, type CidrRange } from './cidr.js';

/** What `<DenyInternal>` refuses. Multicast is not among them: it is a usual udp:// destination. */
export const INTERNAL_RANGES: readonly string[] = [
  '0.0.0.0/8', // "this network": 0.0.0.0 reaches the local host on Linux
  '10.0.0.0/8',
  '100.64.0.0/10', // shared address space (CGNAT)
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata 169.254.169.254
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking
  '255.255.255.255/32',
  '::/128',
  '::1/128',
  'fe80::/10',
  'fc00::/7', // unique local, incl. fd00:ec2::254 (AWS metadata over IPv6)
];

interface HostRule {
  readonly text: string;
  readonly matches: (host: string) => boolean;
}

const internalRanges: readonly CidrRange[] = INTERNAL_RANGES.map((text) => parseCidr(text) as CidrRange);

/** A host as the rules compare it: brackets and a trailing dot removed, lower case. */
export function normaliseHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.replace(/\.$/, '').toLowerCase();
}

/** An address as the rules compare it: zone id removed, IPv4-mapped IPv6 as IPv4. */
function plainAddress(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone >= 0 ? address.slice(0, zone) : address;
  if (isIP(bare) !== 6) return bare;
  // canonical form (the URL parser's), so that ::ffff:7f00:1 unmaps like ::ffff:127.0.0.1
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (hex === null) return unmapIpv4(canonical);
  const high = parseInt(hex[1] as string, 16);
  const low = parseInt(hex[2] as string, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** One application's destination rules. */
export class DestinationPolicy {
  private readonly allowHosts: HostRule[] = [];
  private readonly allowRanges: CidrRange[] = [];
  private readonly denyHosts: HostRule[] = [];
  private readonly denyRanges: CidrRange[] = [];
  private readonly denyInternal: boolean;

  /** `scope` is `vhost/app`, for the refusal's text. Entries are checked by the configuration reader. */
  constructor(
    rules: DestinationRulesConfig,
    readonly scope: string,
  ) {
    this.denyInternal = rules.denyInternal;
    for (const [entries, hosts, ranges] of [
      [rules.allow, this.allowHosts, this.allowRanges],
      [rules.deny, this.denyHosts, this.denyRanges],
    ] as const) {
      for (const text of entries) {
        const range = parseCidr(text);
        if (range !== undefined) ranges.push(range);
        else hosts.push({ text, matches: compileGlob(normaliseHost(text), { caseInsensitive: true }) });
      }
    }
  }

  /** Why `host` itself is refused (a `<Deny>` host pattern), or null. */
  hostRefusal(host: string): string | null {
    const name = normaliseHost(host);
    const rule = this.denyHosts.find((r) => r.matches(name));
    return rule === undefined ? null : `it matches <Deny>${rule.text}</Deny>`;
  }

  /** Why `host` resolving to `addresses` is refused, or null when the destination is allowed. */
  refusal(host: string, addresses: readonly ResolvedAddress[]): string | null {
    const named = this.hostRefusal(host);
    if (named !== null) return named;
    const name = normaliseHost(host);
    const plain = addresses.map((a) => plainAddress(a.address));
    const where = (address: string): string => (address === plainAddress(name) ? address : `it resolves to ${address}`);
    for (const address of plain) {
      const denied = this.denyRanges.find((r) => r.contains(address));
      if (denied !== undefined) return `${where(address)}, in <Deny>${denied.text}</Deny>`;
    }
    const allowedAddress = (address: string): boolean => this.allowRanges.some((r) => r.contains(address));
    if (this.denyInternal)
      for (const address of plain)
        if (internalRanges.some((r) => r.contains(address)) && !allowedAddress(address))
          return `${where(address)}, an internal address (<DenyInternal> refuses loopback, private and link-local addresses unless an <Allow> names them)`;
    if (this.allowHosts.length + this.allowRanges.length === 0) return null;
    if (this.allowHosts.some((r) => r.matches(name))) return null;
    const outside = plain.find((address) => !allowedAddress(address));
    return outside === undefined ? null : `${where(outside)}, which no <Allow> names`;
  }

  /**
   * A HostResolver for the sinks: refuses a denied host name before any lookup, resolves
   * through `base`, checks every address, and returns them all (the sink connects to
   * these only); a refusal is a DestinationDenied.
   */
  resolver(base: HostResolver = resolveHostSystem): HostResolver {
    return async (host) => (await this.check(host, base, false)) as readonly ResolvedAddress[];
  }

  /**
   * startPush's check: throws DestinationDenied when the host is refused as it resolves
   * now. A host that does not resolve (yet) is accepted: every connection attempt checks again.
   */
  async checkAtStart(host: string, base: HostResolver = resolveHostSystem): Promise<void> {
    await this.check(host, base, true);
  }

  /** The addresses of an allowed host; undefined when `lenient` and the lookup failed. */
  private async check(
    host: string,
    base: HostResolver,
    lenient: boolean,
  ): Promise<readonly ResolvedAddress[] | undefined> {
    const named = this.hostRefusal(host);
    if (named !== null) throw new DestinationDenied(normaliseHost(host), this.scope, named);
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await base(host);
    } catch (error) {
      if (lenient) return undefined;
      throw error;
    }
    const reason = this.refusal(host, addresses);
    if (reason !== null) throw new DestinationDenied(normaliseHost(host), this.scope, reason);
    return addresses;
  }
}
