/**
 * Carries MPEG-TS to a destination: UDP datagrams of 7 × 188 = 1316 bytes (the size
 * receivers and IPTV gear expect), or a TCP byte stream.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';

/** Bytes of one UDP datagram: seven 188-byte TS packets. */
export const TS_DATAGRAM_SIZE = 7 * 188;

/** A connection that takes whole TS packets. */
export interface TsTransport {
  /** Queues bytes (whole 188-byte packets; the view is kept, never modified); false when the buffer is full. */
  write(chunk: Uint8Array): boolean;
  readonly bytesSent: number;
  readonly bufferedBytes: number;
  onDrain(listener: () => void): void;
  onError(listener: (error: Error) => void): void;
  /** Sends what is pending and closes; never rejects. */
  close(): Promise<void>;
}

/** `udp://host:port` or `tcp://host:port`, parsed; throws RangeError with the reason. */
export function parseTsUrl(url: string): { scheme: 'udp' | 'tcp'; host: string; port: number } {
  const m = /^(udp|tcp):\/\/(\[[^\]]+\]|[^/:?#[\]@]+):(\d{1,5})(?:[/?].*)?$/i.exec(url.trim());
  if (m === null) throw new RangeError('expected udp://host:port or tcp://host:port');
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new RangeError(`port ${m[3]} is out of range`);
  const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
  return { scheme: (m[1] ?? '').toLowerCase() as 'udp' | 'tcp', host, port };
}

/** Opens a transport for `url`, within `connectionTimeoutMs` (TCP connect, UDP name lookup). */
export async function openTsTransport(url: string, connectionTimeoutMs: number): Promise<TsTransport> {
  const { scheme, host, port } = parseTsUrl(url);
  return scheme === 'udp' ? openUdp(host, port) : openTcp(host, port, connectionTimeoutMs);
}

async function openUdp(host: string, port: number): Promise<TsTransport> {
  const address = isIP(host) !== 0 ? host : (await lookup(host)).address;
  const socket: UdpSocket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  const errorListeners: Array<(e: Error) => void> = [];
  const drainListeners: Array<() => void> = [];
  let pending: Uint8Array | undefined;
  let pendingLength = 0;
  let sent = 0;
  let inFlight = 0;
  let closed = false;
  let failed = false;
  const HIGH_WATER = 512 * 1024;
  socket.on('error', (e) => fail(e));
  const fail = (e: Error): void => {
    if (failed || closed) return;
    failed = true;
    for (const l of errorListeners) l(e);
  };
  const sendDatagram = (datagram: Uint8Array): void => {
    inFlight += datagram.length;
    socket.send(datagram, port, address, (error) => {
      inFlight -= datagram.length;
      // no receiver (ICMP port unreachable) is not a failure for UDP: the stream goes on
      if (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') fail(error);
      } else sent += datagram.length;
      if (inFlight === 0) for (const l of drainListeners) l();
    });
  };
  const write = (chunk: Uint8Array): boolean => {
    if (closed || failed) return true;
    let offset = 0;
    if (pendingLength > 0 && pending !== undefined) {
      const take = Math.min(TS_DATAGRAM_SIZE - pendingLength, chunk.length);
      pending.set(chunk.subarray(0, take), pendingLength);
      pendingLength += take;
      offset = take;
      if (pendingLength === TS_DATAGRAM_SIZE) {
        sendDatagram(pending);
        pending = undefined;
        pendingLength = 0;
      }
    }
    // whole datagrams straight from the chunk: views, no copy
    while (chunk.length - offset >= TS_DATAGRAM_SIZE) {
      sendDatagram(chunk.subarray(offset, offset + TS_DATAGRAM_SIZE));
      offset += TS_DATAGRAM_SIZE;
    }
    if (offset < chunk.length) {
      pending = new Uint8Array(TS_DATAGRAM_SIZE);
      pending.set(chunk.subarray(offset), 0);
      pendingLength = chunk.length - offset;
    }
    return inFlight < HIGH_WATER;
  };
  return {
    write,
    get bytesSent() {
      return sent;
    },
    get bufferedBytes() {
      return inFlight + pendingLength;
    },
    onDrain: (l) => drainListeners.push(l),
    onError: (l) => errorListeners.push(l),
    close: async () => {
      if (closed) return;
      if (pending !== undefined && pendingLength > 0 && !failed) sendDatagram(pending.subarray(0, pendingLength));
      pending = undefined;
      pendingLength = 0;
      closed = true;
      // let the datagrams handed to the kernel go before the socket closes (at most 1 s)
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          drainListeners.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      await new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
    },
  };
}

async function openTcp(host: string, port: number, timeoutMs: number): Promise<TsTransport> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  socket.setNoDelay(true);
  const errorListeners: Array<(e: Error) => void> = [];
  let closed = false;
  let failed = false;
  const fail = (e: Error): void => {
    if (failed || closed) return;
    failed = true;
    for (const l of errorListeners) l(e);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error(`TCP connection to ${host}:${port} closed by the peer`)));
  return {
    write: (chunk) => (closed || failed ? true : socket.write(chunk)),
    get bytesSent() {
      return socket.bytesWritten - socket.writableLength;
    },
    get bufferedBytes() {
      return socket.writableLength;
    },
    onDrain: (l) => socket.on('drain', l),
    onError: (l) => errorListeners.push(l),
    close: async () => {
      if (closed) return;
      closed = true;
      if (socket.destroyed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.destroy();
          resolve();
        }, 2000);
        socket.end(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
