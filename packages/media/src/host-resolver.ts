/**
 * Host resolution for outgoing connections (push destinations): a HostResolver turns a
 * destination's host into the addresses a sender may connect to. A sender resolves once
 * per connection attempt and connects only to what the resolver returned (pinnedLookup
 * for net/tls sockets, the first address for datagram sockets), so that a policy that
 * checks those addresses (the server's `<Destinations>`) is not bypassed by a second,
 * different DNS answer at connect time (DNS rebinding).
 */
import { isIP, type LookupFunction } from 'node:net';
import { lookup } from 'node:dns/promises';

/** One address a host resolved to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * Resolves a host (a name or an address literal, no brackets) into at least one address,
 * or rejects with an Error saying why (a lookup failure, or a policy's refusal); a sender
 * rejects its open() with that error unchanged.
 */
export type HostResolver = (host: string) => Promise<readonly ResolvedAddress[]>;

/** The host cannot be resolved by the system resolver. */
export class HostResolutionError extends Error {
  override readonly name = 'HostResolutionError';
  constructor(
    readonly host: string,
    options?: ErrorOptions,
  ) {
    super(`cannot resolve ${host}: ${options?.cause instanceof Error ? options.cause.message : 'no address'}`, options);
  }
}

/** The system's resolution (getaddrinfo, as net.connect uses it): every address, in the system's order; a literal is itself. */
export const resolveHostSystem: HostResolver = async (host) => {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const literal = isIP(bare);
  if (literal !== 0) return [{ address: bare, family: literal === 6 ? 6 : 4 }];
  let found: Array<{ address: string; family: number }>;
  try {
    found = await lookup(bare, { all: true });
  } catch (error) {
    throw new HostResolutionError(bare, { cause: error });
  }
  if (found.length === 0) throw new HostResolutionError(bare);
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * A `lookup` for net.connect/tls.connect that answers with these addresses only (never
 * asks DNS again): the socket connects to an address that was checked, while `host`
 * (TLS SNI and certificate check) stays the name. Honours `options.all` (Happy Eyeballs)
 * and `options.family`.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : undefined;
    const usable = family === undefined ? addresses : addresses.filter((a) => a.family === family);
    if (usable.length === 0) {
      const error: NodeJS.ErrnoException = new Error(`no ${family === 6 ? 'IPv6' : 'IPv4'} address for ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
      return;
    }
    if (options.all === true)
      (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(
        null,
        usable.map((a) => ({ ...a })),
      );
    else callback(null, (usable[0] as ResolvedAddress).address, (usable[0] as ResolvedAddress).family);
  };
}
