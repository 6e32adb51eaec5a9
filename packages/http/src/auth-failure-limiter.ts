/**
 * Rate limit of failed authentication per client address: after `maxFailures` failed
 * checks within `windowMs`, that address is answered 429 with `Retry-After` (without
 * its token being checked) until the window of its first counted failure ends. Other
 * addresses are never affected, and a correct token does not count. IPv6 clients are
 * grouped by their /64 (one host usually holds a whole /64). The table holds at most
 * `maxAddresses` entries: expired ones go first, then the oldest.
 */
import { isIPv6 } from 'node:net';

/** Settings of an AuthFailureLimiter. */
export interface AuthFailureLimits {
  /** Failures allowed per window (default 20). */
  maxFailures: number;
  /** Window length, ms (default 60000). */
  windowMs: number;
  /** Largest number of addresses tracked (default 10000). */
  maxAddresses: number;
}

/** Defaults: 20 failures a minute, 10000 addresses. */
export const DEFAULT_AUTH_FAILURE_LIMITS: Readonly<AuthFailureLimits> = {
  maxFailures: 20,
  windowMs: 60_000,
  maxAddresses: 10_000,
};

interface Entry {
  /** Start of the current window. */
  since: number;
  failures: number;
}

/** Counts failed authentications per client address. */
export class AuthFailureLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds the address must wait (for `Retry-After`), or 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const entry = this.entries.get(addressKey(address));
    if (entry === undefined || entry.failures < this.limits.maxFailures) return 0;
    const left = entry.since + this.limits.windowMs - this.now();
    return left <= 0 ? 0 : Math.ceil(left / 1000);
  }

  /** Records one failed authentication of `address`. */
  recordFailure(address: string): void {
    const key = addressKey(address);
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && now - entry.since < this.limits.windowMs) {
      entry.failures++;
      return;
    }
    if (entry !== undefined)
      this.entries.delete(key); // re-inserted last: the map stays in window order
    else if (this.entries.size >= this.limits.maxAddresses) this.evict(now);
    this.entries.set(key, { since: now, failures: 1 });
  }

  /** Addresses tracked (tests: the table stays bounded). */
  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries; if none expired, the oldest one. Map order is window-start order. */
  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.since < this.limits.windowMs) break;
      this.entries.delete(key);
    }
    if (this.entries.size >= this.limits.maxAddresses) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

/** The table key of an address: IPv4 (also IPv4-mapped IPv6) as is, other IPv6 by its /64. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1] as string;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
