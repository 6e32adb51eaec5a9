/**
 * Misbehaving API clients for the hardening tests: slowloris connections that send a
 * header line now and then and never finish the request (reopened when the server cuts
 * them, so the pressure stays), and raw requests from a chosen local address.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A pool of slowloris connections kept at `count`. */
export interface Slowloris {
  /** Connections open now. */
  open(): number;
  /** Connections the server closed (each was reopened). */
  cutByServer(): number;
  stop(): void;
}

/** Opens `count` slowloris connections to 127.0.0.1:port, spread over local addresses 127.0.0.2.. (50 each). */
export function startSlowloris(port: number, count: number, lineEveryMs = 1000): Slowloris {
  const sockets = new Set<Socket>();
  let cut = 0;
  let stopped = false;
  const open = (index: number): void => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: `127.0.0.${2 + Math.floor(index / 50)}` });
    sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(`GET /v1/version HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
      timer = setInterval(() => socket.write(`X-Slow-${index}: ${Date.now()}\r\n`), lineEveryMs);
    });
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
      if (stopped) return;
      cut++;
      setTimeout(() => open(index), 50);
    });
  };
  for (let i = 0; i < count; i++) open(i);
  return {
    open: () => [...sockets].filter((s) => !s.connecting && !s.destroyed).length,
    cutByServer: () => cut,
    stop: () => {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

/** A GET from `localAddress` with an Authorization header; resolves with status and headers. */
export function getFrom(
  port: number,
  path: string,
  localAddress: string,
  authorization: string | undefined,
): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        localAddress,
        agent: false,
        headers: authorization === undefined ? {} : { authorization },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const retry = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(retry) ? retry[0] : retry });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
