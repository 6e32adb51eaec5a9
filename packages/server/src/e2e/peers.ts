/**
 * End-to-end helpers: an ffmpeg publisher looping a fixture into our RTMP ingest, a
 * REST client for the push API, a UDP relay that records datagram sizes on the way
 * to an ffmpeg receiver.
 */
import { createSocket, type Socket } from 'node:dgram';
import { fixturePath, startProcess, type PeerProcess } from '@sluice/test-support';

/** Starts `ffmpeg -re -stream_loop -1 -i FIXTURE -c copy -f flv URL` (a live encoder publishing over RTMP). */
export function startFfmpegPublisher(url: string, fixture = 'h264-baseline-aac.flv'): PeerProcess {
  return startProcess('ffmpeg', ['-nostdin', '-v', 'error', '-re', '-stream_loop', '-1', '-i', fixturePath(fixture), '-c', 'copy', '-f', 'flv', url]);
}

/** Starts ffmpeg receiving MPEG-TS on udp://127.0.0.1:PORT and copying it into `file`. */
export function startFfmpegUdpReceiver(port: number, file: string): PeerProcess {
  return startProcess('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', `udp://127.0.0.1:${port}?fifo_size=1000000&overrun_nonfatal=1`, '-c', 'copy', '-f', 'mpegts', file]);
}

/** A JSON answer of the REST API. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: { statusCode: number; message: string; response?: T } | undefined;
}

/** Calls the REST API on 127.0.0.1:port with `Authorization: Basic base64(token)`. */
export async function callApi<T = unknown>(port: number, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(token).toString('base64')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as ApiAnswer<T>['body']) };
}

/** Receives UDP on one port, remembers datagram sizes, forwards each datagram to another port. */
export interface UdpRelay {
  port: number;
  sizes: Map<number, number>;
  datagrams: () => number;
  close: () => Promise<void>;
}

/** Starts a UDP relay on 127.0.0.1 (a free port) forwarding to 127.0.0.1:forwardPort. */
export async function startUdpRelay(forwardPort: number): Promise<UdpRelay> {
  const socket: Socket = createSocket('udp4');
  const sizes = new Map<number, number>();
  let count = 0;
  socket.on('message', (msg) => {
    count++;
    sizes.set(msg.length, (sizes.get(msg.length) ?? 0) + 1);
    socket.send(msg, forwardPort, '127.0.0.1');
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    sizes,
    datagrams: () => count,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
