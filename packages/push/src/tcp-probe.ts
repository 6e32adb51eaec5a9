/** A reachability probe for sink factories: does anything accept TCP connections there? */
import { connect } from 'node:net';
import { pinnedLookup, resolveHostSystem, type HostResolver } from '@sluice/media';

/**
 * Resolves true when a TCP connection to host:port is accepted within timeoutMs (the
 * connection is closed at once), false on refusal, error or timeout. Never rejects. The
 * host is resolved through `resolveHost` (a push target's, so a destination policy also
 * guards probes) and only the addresses it returns are tried; its refusal means false.
 */
export function probeTcp(
  host: string,
  port: number,
  timeoutMs = 1000,
  resolveHost: HostResolver = resolveHostSystem,
): Promise<boolean> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return Promise.resolve(false);
  return new Promise((resolve) => {
    let socket: ReturnType<typeof connect> | undefined;
    let settled = false;
    const done = (reachable: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (socket !== undefined) {
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.destroy();
      }
      resolve(reachable);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    resolveHost(host).then(
      (addresses) => {
        if (settled) return;
        socket = connect({ host, port, lookup: pinnedLookup(addresses) });
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
      },
      () => done(false),
    );
  });
}
