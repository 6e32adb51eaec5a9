import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeWithPeers,
  freeTcpPort,
  readFixture,
  startFfmpegFrameCrc,
  startProcess,
  waitFor,
} from '@sluice/test-support';
import { TcpTsSender, TsPushSink, TsSenderError } from './index.js';
import { interleave, readFlv } from './test-support/media-source.js';
import { sendLive } from './test-support/live.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A TCP server on 127.0.0.1; `paused` connections read nothing. */
async function server(
  paused = false,
): Promise<{ port: number; received: () => number; sockets: Socket[]; server: Server }> {
  let received = 0;
  const sockets: Socket[] = [];
  const srv = createServer((s) => {
    sockets.push(s);
    if (paused) s.pause();
    s.on('data', (d) => (received += d.length));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  );
  const address = srv.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, received: () => received, sockets, server: srv };
}

const chunk = new Uint8Array(188 * 350).fill(0x47);

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', '0']);
    return true;
  } catch {
    return false;
  }
})();

describe('TcpTsSender', () => {
  it('sends bytes and counts them', async () => {
    const srv = await server();
    const s = new TcpTsSender(`tcp://127.0.0.1:${srv.port}`);
    await s.open();
    for (let i = 0; i < 10; i++) s.send(chunk);
    await s.close();
    await waitFor(() => srv.received() === chunk.length * 10, 5000, 'all bytes');
    expect(s.bytesSent).toBe(chunk.length * 10);
  });

  it('rejects a refused connection with TsSenderError connect', async () => {
    const port = await freeTcpPort();
    const s = new TcpTsSender(`tcp://127.0.0.1:${port}`);
    const error = await s.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TsSenderError);
    expect((error as TsSenderError).code).toBe('connect');
    expect((error as TsSenderError).message).toBe(`tcp://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it.skipIf(!hasPython)(
    'rejects with TsSenderError timeout when the connection is not completed in connectTimeoutMs',
    async () => {
      // a listener that never accepts, with a full backlog: further SYNs go unanswered
      const py = startProcess('python3', [
        '-c',
        'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)',
      ]);
      cleanups.push(async () => void (await py.stop()));
      await waitFor(() => py.stdout().trim() !== '', 10_000, 'python listener');
      const port = Number(py.stdout().trim());
      const senders: TcpTsSender[] = [];
      cleanups.push(async () => {
        for (const s of senders) await s.close();
      });
      let error: unknown;
      for (let i = 0; i < 5 && error === undefined; i++) {
        const s = new TcpTsSender(`tcp://127.0.0.1:${port}`, { connectTimeoutMs: 300 });
        senders.push(s);
        error = await s.open().then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      expect(error).toBeInstanceOf(TsSenderError);
      expect((error as TsSenderError).code).toBe('timeout');
      expect((error as TsSenderError).message).toBe(`tcp://127.0.0.1:${port}: connection timed out after 300 ms`);
    },
  );

  it('applies backpressure: send() returns false, onDrain fires when the peer reads', async () => {
    const srv = await server(true);
    const s = new TcpTsSender(`tcp://127.0.0.1:${srv.port}`, { sendTimeoutMs: 10_000 });
    await s.open();
    let drained = 0;
    s.onDrain(() => drained++);
    let accepted = 0;
    while (s.send(chunk) && accepted < 10_000) accepted++;
    expect(accepted).toBeLessThan(10_000);
    expect(s.bufferedBytes).toBeGreaterThan(0);
    await waitFor(() => srv.sockets.length === 1, 5000, 'server socket');
    srv.sockets[0]!.resume();
    await waitFor(() => drained === 1, 5000, 'drain');
    await s.close();
  });

  it('fails with TsSenderError timeout when nothing drains for sendTimeoutMs', async () => {
    const srv = await server(true);
    const s = new TcpTsSender(`tcp://127.0.0.1:${srv.port}`, { sendTimeoutMs: 300 });
    const errors: Error[] = [];
    s.onError((e) => errors.push(e));
    await s.open();
    while (s.send(chunk));
    await waitFor(() => errors.length > 0, 5000, 'timeout error');
    expect((errors[0] as TsSenderError).code).toBe('timeout');
    expect(errors[0]!.message).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+: nothing sent for 300 ms with \d+ bytes queued$/);
    expect(s.send(chunk)).toBe(false);
    await s.close();
  });

  it('reports the peer closing as TsSenderError closed, once', async () => {
    const srv = await server();
    const s = new TcpTsSender(`tcp://127.0.0.1:${srv.port}`);
    const errors: Error[] = [];
    s.onError((e) => errors.push(e));
    await s.open();
    await waitFor(() => srv.sockets.length === 1, 5000, 'server socket');
    srv.sockets[0]!.destroy();
    await waitFor(() => errors.length > 0, 5000, 'close error');
    expect((errors[0] as TsSenderError).code).toBe('closed');
    await s.close();
    expect(errors.length).toBe(1);
  });

  it('validates its options', () => {
    expect(() => new TcpTsSender('tcp://127.0.0.1:1', { sendTimeoutMs: -1 })).toThrow(
      'sendTimeoutMs must be an integer in 0..600000, got -1',
    );
    // 0: the caller keeps the deadline (a push session does)
    expect(() => new TcpTsSender('tcp://127.0.0.1:1', { connectTimeoutMs: 0, sendTimeoutMs: 0 })).not.toThrow();
    expect(() => new TcpTsSender('udp://127.0.0.1:1')).toThrow(
      'Invalid URL [udp://127.0.0.1:1]: TcpTsSender needs tcp://',
    );
  });
});

describe('TsPushSink', () => {
  it('muxes and sends packets, counts bytes, never throws from send()', async () => {
    const srv = await server();
    const source = readFlv(readFixture('h264-baseline-aac.flv'));
    const sink = new TsPushSink({ url: `tcp://127.0.0.1:${srv.port}` });
    await sink.open(source.tracks);
    for (const p of interleave(source)) sink.send(p);
    expect(sink.send({ trackId: 0, dts: 99_999, pts: 99_999, key: false, data: new Uint8Array([0, 0, 0, 50]) })).toBe(
      true,
    );
    expect(sink.droppedPackets).toBe(1);
    await sink.close();
    await waitFor(() => srv.received() === sink.bytesSent && sink.bytesSent > 0, 5000, 'bytes');
    expect(sink.bytesSent % 188).toBe(0);
  });
});

describeWithPeers(['ffmpeg'], 'TcpTsSender → ffmpeg -i tcp://?listen', () => {
  it('ffmpeg receives a live push over TCP and decodes every frame', async () => {
    const port = await freeTcpPort();
    const ffmpeg = startFfmpegFrameCrc(`tcp://127.0.0.1:${port}?listen=1`);
    cleanups.push(async () => void (await ffmpeg.stop()));
    const source = readFlv(readFixture('h264-high-aac.flv'));
    const sender = new TcpTsSender(`tcp://127.0.0.1:${port}`);
    // ffmpeg accepts one connection: retry until it listens (refusals are TsSenderError connect)
    await waitFor(
      () =>
        sender.open().then(
          () => true,
          () => false,
        ),
      10_000,
      'ffmpeg listening',
      50,
    );
    await sendLive(source, sender, 4);
    await sender.close();
    await ffmpeg.exited;
    expect(ffmpeg.frames(0)).toBe(source.packets.filter((p) => p.trackId === 0).length);
    expect(ffmpeg.frames(1)).toBe(source.packets.filter((p) => p.trackId === 1).length);
    expect(ffmpeg.stderr()).toBe('');
  });
});
