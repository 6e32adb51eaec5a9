/** Interop with libsrt 1.5 (srt-live-transmit): both directions, with and without encryption. */
import { describeWithPeers, freeUdpPort, readFixture, startProcess, type PeerProcess } from '@sluice/test-support';
import { afterEach, expect, it } from 'vitest';
import { SrtCaller } from './caller.js';
import { SrtListener } from './listener.js';
import { SrtRejectReason } from './reject.js';

const ts = Buffer.from(readFixture('h264-high-aac.ts'));
/** Whole 7-TS-packet payloads (srt-live-transmit drops a short final read). */
const stream = ts.subarray(0, Math.floor(ts.length / 1316) * 1316);

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function slt(args: string[]): PeerProcess {
  const p = startProcess('srt-live-transmit', ['-a:no', '-c', '1316', ...args]);
  cleanup.push(() => p.stop(1000));
  return p;
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stdoutBytes(p: PeerProcess): () => Buffer {
  const chunks: Buffer[] = [];
  p.child.stdout?.removeAllListeners('data');
  p.child.stdout?.setEncoding('latin1');
  p.child.stdout?.on('data', (d: string) => chunks.push(Buffer.from(d, 'latin1')));
  return () => Buffer.concat(chunks);
}

async function connectRetrying(options: Parameters<typeof SrtCaller.connect>[0]): ReturnType<typeof SrtCaller.connect> {
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      return await SrtCaller.connect({ connectTimeoutMs: 1000, ...options });
    } catch (e) {
      if ((e as { code?: string }).code !== 'timeout' || Date.now() > end) throw e;
    }
  }
}

const cases: [string, string | undefined, number | undefined, number][] = [
  ['plain, latency 120 ms', undefined, undefined, 120],
  ['plain, latency 1 s', undefined, undefined, 1000],
  ['pbkeylen 16', 'interop-passphrase', 16, 120],
  ['pbkeylen 24', 'interop-passphrase', 24, 120],
  ['pbkeylen 32', 'interop-passphrase', 32, 1000],
];

function query(passphrase: string | undefined, pbkeylen: number | undefined, latencyMs: number): string {
  let q = `latency=${latencyMs}`;
  if (passphrase) q += `&passphrase=${passphrase}&pbkeylen=${pbkeylen}`;
  return q;
}

/** srt-live-transmit listening on a free port with these keys and latency, writing what it receives to stdout. */
async function sltListener(
  passphrase: string | undefined,
  pbkeylen: number | undefined,
  latencyMs: number,
): Promise<{ port: number; peer: PeerProcess; output: () => Buffer }> {
  const port = await freeUdpPort();
  const peer = slt([`srt://127.0.0.1:${port}?mode=listener&${query(passphrase, pbkeylen, latencyMs)}`, 'file://con']);
  return { port, peer, output: stdoutBytes(peer) };
}

/** Our caller to 127.0.0.1:port asking for 120 ms latency, with these keys and `options`. */
function callListener(
  port: number,
  passphrase: string | undefined,
  pbkeylen: number | undefined,
  options: Partial<Parameters<typeof SrtCaller.connect>[0]>,
): ReturnType<typeof SrtCaller.connect> {
  return connectRetrying({ host: '127.0.0.1', port, passphrase, pbkeylen, latencyMs: 120, ...options });
}

describeWithPeers(['srt-live-transmit'], 'srt-live-transmit 1.5 interop', () => {
  it.each(cases)(
    'our caller -> srt-live-transmit listener, byte-exact (%s)',
    async (_name, passphrase, pbkeylen, latencyMs) => {
      const { port, peer, output } = await sltListener(passphrase, pbkeylen, latencyMs);
      const c = await callListener(port, passphrase, pbkeylen, { streamId: 'interop' });
      expect(c.latencyMs).toBe(latencyMs);
      expect(c.encrypted).toBe(passphrase !== undefined);
      for (let o = 0; o < stream.length; o += 1316) {
        c.send(stream.subarray(o, o + 1316));
        if ((o / 1316) % 16 === 15) await new Promise((r) => setTimeout(r, 2));
      }
      await until(() => c.stats().sendBufferPackets === 0);
      await new Promise((r) => setTimeout(r, latencyMs + 300)); // until played: a SHUTDOWN discards what waits
      c.close();
      await peer.exited;
      expect(output().length).toBe(stream.length);
      expect(output().equals(stream)).toBe(true);
      expect(c.stats().packetsSent).toBe(stream.length / 1316);
    },
  );

  it.each([
    ['plain', undefined, undefined],
    ['pbkeylen 16', 'interop-passphrase', 16],
  ] as const)(
    'our caller -> srt-live-transmit across the 31-bit sequence and 32-bit microsecond timestamp wraps, byte-exact (%s)',
    async (_name, passphrase, pbkeylen) => {
      const { port, peer, output } = await sltListener(passphrase, pbkeylen, 120);
      const packets = stream.length / 1316;
      const initialSequence = 2 ** 31 - Math.floor(packets / 2); // the wrap half way through
      const c = await callListener(port, passphrase, pbkeylen, {
        initialSequence,
        timestampOriginUs: 2 ** 32 - 300_000, // wraps 0.3 s in (as 71.6 minutes into a connection)
      });
      // one packet every 8 ms: ~0.8 s of sending, the timestamp wrap inside it
      for (let o = 0; o < stream.length; o += 1316) {
        c.send(stream.subarray(o, o + 1316));
        await new Promise((r) => setTimeout(r, 8));
      }
      await until(() => c.stats().sendBufferPackets === 0);
      await new Promise((r) => setTimeout(r, 420));
      c.close();
      await peer.exited;
      expect(output().length).toBe(stream.length);
      expect(output().equals(stream)).toBe(true);
      expect(c.stats().packetsSent).toBe(packets);
    },
  );

  it.each(cases)(
    'srt-live-transmit caller -> our listener, byte-exact (%s)',
    async (_name, passphrase, pbkeylen, latencyMs) => {
      const l = await SrtListener.listen({ port: 0, host: '127.0.0.1', passphrase, latencyMs: 120 });
      cleanup.push(() => l.close());
      const got: Buffer[] = [];
      let received = 0;
      const ids: string[] = [];
      l.on('connection', (c) => {
        ids.push(c.streamId);
        expect(c.latencyMs).toBe(latencyMs);
        c.on('message', (m) => {
          got.push(Buffer.from(m));
          received += m.length;
        });
      });
      const peer = slt([
        'file://con',
        `srt://127.0.0.1:${l.address.port}?streamid=live/app/stream&${query(passphrase, pbkeylen, latencyMs)}`,
      ]);
      await until(() => l.connectionCount === 1);
      for (let o = 0; o < stream.length; o += 1316 * 8) {
        peer.child.stdin?.write(stream.subarray(o, o + 1316 * 8));
        await new Promise((r) => setTimeout(r, 4));
      }
      peer.child.stdin?.end(); // its stdin is buffered: the end flushes the last payloads
      await until(() => received >= stream.length).catch((e) => {
        throw new Error(
          `${String(e)}: got ${received} of ${stream.length}, ${l.connectionCount} connection(s); peer said: ${peer.stderr()}`,
        );
      });
      expect(Buffer.concat(got).equals(stream)).toBe(true);
      expect(ids).toEqual(['live/app/stream']);
    },
  );

  it('a wrong passphrase is refused clearly in both directions', async () => {
    const port = await freeUdpPort();
    slt([`srt://127.0.0.1:${port}?mode=listener&passphrase=the-right-passphrase`, 'file://con']);
    const err = await connectRetrying({ host: '127.0.0.1', port, passphrase: 'a-wrong-passphrase' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'crypto', rejectReason: SrtRejectReason.BadSecret });

    const l = await SrtListener.listen({ port: 0, host: '127.0.0.1', passphrase: 'the-right-passphrase' });
    cleanup.push(() => l.close());
    const rejected: number[] = [];
    l.on('rejected', (_r, code) => rejected.push(code));
    const peer = slt(['-ll', 'warn', 'file://con', `srt://127.0.0.1:${l.address.port}?passphrase=a-wrong-passphrase`]);
    await until(() => rejected.length > 0 && /passphrase/i.test(peer.stderr()));
    expect(rejected[0]).toBe(SrtRejectReason.BadSecret);
  });
});
