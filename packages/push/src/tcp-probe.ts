/** A reachability probe for sink factories: does anything accept TCP connections there? */
import { connect } from 'node:net';

/**
 * Resolves true when a TCP connection to host:port is accepted within timeoutMs (the
 * connection is closed at once), false on refusal, error or timeout. Never rejects.
 */
export function probeTcp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reachable: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(reachable);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
