/**
 * A TCP proxy in front of a real destination that misbehaves on demand, for the
 * fault-injection tests. Its mode can change while pushes run:
 *   - `pass`: bytes flow both ways;
 *   - `reset-after`: the next connection is reset (RST, no FIN) after `bytes` from the
 *     client, later ones pass;
 *   - `garbage`: answers whatever arrives with bytes that are no RTMP handshake (S0 = 0x09);
 *   - `throttle`: the client's bytes are read at `bytesPerSecond` at most.
 * `refuse()` closes the listening socket (connections are refused) and `listen()` opens
 * it again on the same port.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the proxy does with connections. */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'reset-after'; bytes: number }
  | { kind: 'garbage' }
  | { kind: 'throttle'; bytesPerSecond: number };

/** A running proxy. */
export interface FaultProxy {
  port: number;
  /** `rtmp://127.0.0.1:PORT/APP`. */
  url: (app: string) => string;
  setMode: (mode: FaultMode) => void;
  /** Connections accepted so far. */
  connections: () => number;
  /** Connections reset by `reset-after`. */
  resets: () => number;
  /** Stops listening: new connections are refused (open ones are cut). */
  refuse: () => Promise<void>;
  /** Listens again on the same port. */
  listen: () => Promise<void>;
  close: () => Promise<void>;
}

/** Starts a proxy to 127.0.0.1:`targetPort` in mode `pass`. */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let mode: FaultMode = { kind: 'pass' };
  let accepted = 0;
  let resets = 0;
  const open = new Set<Socket>();
  const track = (s: Socket): Socket => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
    return s;
  };

  const handle = (client: Socket): void => {
    accepted++;
    track(client);
    const current = mode;
    if (current.kind === 'garbage') {
      client.on('data', () => {
        if (client.writableLength === 0) client.write(Buffer.alloc(1537 + 1536, 0x09));
      });
      return;
    }
    const upstream = track(connect(targetPort, '127.0.0.1'));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.pipe(client);
    if (current.kind === 'pass') {
      client.pipe(upstream);
      return;
    }
    if (current.kind === 'reset-after') {
      mode = { kind: 'pass' }; // once
      let seen = 0;
      client.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen <= current.bytes) {
          upstream.write(chunk);
          return;
        }
        resets++;
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      });
      return;
    }
    // throttle: each chunk read goes on in 4 KiB slices paced at the rate (a smooth slow
    // link, not bursts), reading paused meanwhile; setting another mode lifts it from
    // this connection too
    client.on('data', (chunk: Buffer) => {
      client.pause();
      let offset = 0;
      const next = (): void => {
        if (upstream.destroyed) return;
        if (mode.kind !== 'throttle') {
          upstream.write(chunk.subarray(offset));
          client.resume();
          return;
        }
        const slice = chunk.subarray(offset, offset + 4096);
        upstream.write(slice);
        offset += slice.length;
        const delay = (slice.length / mode.bytesPerSecond) * 1000;
        if (offset < chunk.length) setTimeout(next, delay);
        else setTimeout(() => client.resume(), delay);
      };
      next();
    });
  };

  let server: Server = createServer(handle);
  const listenOn = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listenOn(0);
  const closeServer = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    });
  return {
    port,
    url: (app) => `rtmp://127.0.0.1:${port}/${app}`,
    setMode: (m) => (mode = m),
    connections: () => accepted,
    resets: () => resets,
    refuse: closeServer,
    listen: async () => {
      server = createServer(handle);
      await listenOn(port);
    },
    close: closeServer,
  };
}
