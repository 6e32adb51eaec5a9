/**
 * End-to-end helpers: an ffmpeg publisher looping a fixture into our RTMP ingest, a
 * REST client for the push API, a UDP relay that records datagram sizes on the way
 * to an ffmpeg receiver.
 */
import { createSocket, type Socket } from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { PushRecord } from '@sluice/push';
import { ffmpegCopyArgs, ffmpegGenerate, fixturePath, startProcess } from '@sluice/test-support';
import type { NginxRtmp, PeerProcess } from '@sluice/test-support';

/** Starts `ffmpeg -re -stream_loop -1 -i FIXTURE -c copy -f flv URL` (a live encoder publishing over RTMP). */
export function startFfmpegPublisher(
  url: string,
  fixture = 'h264-baseline-aac.flv',
  outputOptions: string[] = [],
): PeerProcess {
  return startLoopingFfmpeg(url, 'flv', fixture, outputOptions);
}

/**
 * Starts `ffmpeg -re -stream_loop -1 -i FIXTURE -c copy -f mpegts URL`: a live encoder
 * publishing MPEG-TS, e.g. to `srt://127.0.0.1:PORT?streamid=default/app/cam` (ffmpeg's libsrt).
 * FIXTURE: a fixture's name or an absolute path (e.g. longLiveTs()).
 */
export function startFfmpegTsPublisher(
  url: string,
  fixture = 'h264-high-aac.ts',
  outputOptions: string[] = [],
): PeerProcess {
  return startLoopingFfmpeg(url, 'mpegts', fixture, outputOptions);
}

/**
 * A continuous MPEG-TS source made by ffmpeg (testsrc 320x240 at 25 fps, H.264 with a
 * keyframe per second, 48 kHz AAC), `seconds` long: looping it gives a timestamp step at
 * the loop point only once per `seconds` (the short fixtures' loop points leave audio
 * DTS 1 tick apart, which ms-based outputs make equal).
 */
export async function generateLiveTs(seconds = 40): Promise<string> {
  const { path } = await ffmpegGenerate(`live-${seconds}s.ts`, [
    ...['-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '64k', '-f', 'mpegts'],
  ]);
  return path;
}

/** ffmpeg's `srt://127.0.0.1:PORT?streamid=…&latency=120000` (latency in microseconds) and `extra` query. */
export const ffmpegSrtUrl = (port: number, streamId: string, extra = ''): string =>
  `srt://127.0.0.1:${port}?streamid=${encodeURIComponent(streamId)}&latency=120000${extra}`;

/** ffmpeg's arguments for `fixture` looped in real time, copied to `url` as `format`. */
export function loopingFfmpegArgs(
  url: string,
  format: string,
  fixture: string,
  outputOptions: string[] = [],
): string[] {
  return ffmpegCopyArgs(isAbsolute(fixture) ? fixture : fixturePath(fixture), url, {
    inputOptions: ['-re', '-stream_loop', '-1'],
    format,
    outputOptions,
  });
}

function startLoopingFfmpeg(url: string, format: string, fixture: string, outputOptions: string[]): PeerProcess {
  return startProcess('ffmpeg', loopingFfmpegArgs(url, format, fixture, outputOptions));
}

/** A startPush body: stream `name` over RTMP to nginx-rtmp's `live` app, stream key `id` unless given. */
export function rtmpPushToNginx(
  nginx: NginxRtmp,
  id: string,
  name: string,
  streamKey = id,
): { id: string; stream: { name: string }; protocol: 'rtmp'; url: string; streamKey: string } {
  return { id, stream: { name }, protocol: 'rtmp', url: nginx.url('live'), streamKey };
}

/** Starts ffmpeg receiving MPEG-TS on udp://127.0.0.1:PORT and copying it into `file`. */
export function startFfmpegUdpReceiver(port: number, file: string): PeerProcess {
  // timeout: no datagram for 3 s ends the input, so ffmpeg finishes the file by itself.
  // pes_payload_size 0: one audio frame per PES as received; ffmpeg's default packing
  // re-derives in-between audio timestamps from the frame duration, and its own null
  // muxer then reports them as non-monotonic when the file is decoded.
  return startFfmpegTsReceiver(`udp://127.0.0.1:${port}?timeout=3000000&fifo_size=1000000&overrun_nonfatal=1`, file);
}

/** Starts ffmpeg copying the MPEG-TS it receives from `input` (a URL) into `file` as it came (ffmpegTsCopyArgs). */
export function startFfmpegTsReceiver(input: string, file: string): PeerProcess {
  return startProcess('ffmpeg', ffmpegTsCopyArgs(input, file));
}

/**
 * `ffmpeg` arguments that copy the MPEG-TS received from `input` into `file` as it came
 * (`-pes_payload_size 0`: one audio frame per PES, see startFfmpegUdpReceiver).
 */
export function ffmpegTsCopyArgs(input: string, file: string): string[] {
  return ffmpegCopyArgs(input, file, {
    inputOptions: ['-y'],
    format: 'mpegts',
    outputOptions: ['-pes_payload_size', '0'],
  });
}

/**
 * Resolves once something receives on udp://127.0.0.1:port: sends TS null packets
 * (PID 0x1FFF, which every TS demuxer drops) from a connected socket until the kernel
 * stops answering "port unreachable".
 */
export async function waitForUdpListener(port: number, timeoutMs = 10_000): Promise<void> {
  const socket = createSocket('udp4');
  const nullPacket = new Uint8Array(188);
  nullPacket.set([0x47, 0x1f, 0xff, 0x10]);
  let refused = false;
  socket.on('error', () => {
    refused = true;
  });
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  try {
    while (quiet < 3) {
      if (Date.now() > deadline) throw new Error(`nothing receives on udp://127.0.0.1:${port} after ${timeoutMs} ms`);
      refused = false;
      socket.send(nullPacket);
      await new Promise((r) => setTimeout(r, 50));
      quiet = refused ? 0 : quiet + 1;
    }
  } finally {
    socket.close();
  }
}

/** A JSON answer of the REST API. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: { statusCode: number; message: string; response?: T } | undefined;
}

/** Calls the REST API on 127.0.0.1:port with `Authorization: Basic base64(token)`. */
export async function callApi<T = unknown>(
  port: number,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(token).toString('base64')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as ApiAnswer<T>['body']) };
}

/** The push record `id` of default/app through `POST :pushes` on 127.0.0.1:port (undefined when absent). */
export async function fetchPushRecord(port: number, token: string, id: string): Promise<PushRecord | undefined> {
  const answer = await callApi<PushRecord[]>(port, token, 'POST', '/v1/vhosts/default/apps/app:pushes', { id });
  return answer.body?.response?.[0];
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
    if (process.env['SLUICE_E2E_RELAY_DUMP']) appendFileSync(process.env['SLUICE_E2E_RELAY_DUMP'], msg);
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

/** Stops an ffmpeg politely (SIGINT: it finishes its output file), SIGKILL after `graceMs`. */
export async function stopFfmpeg(p: PeerProcess, graceMs = 5000): Promise<void> {
  await p.stop(graceMs, 'SIGINT');
}
