import { afterEach, describe, expect, it } from 'vitest';
import { SrtCaller } from './caller.js';
import type { SrtConnection } from './connection.js';
import { SrtConnectionError } from './errors.js';
import { SrtListener, type SrtConnectRequest } from './listener.js';
import { SrtRejectPredefined, SrtRejectReason } from './reject.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function listen(options: Partial<Parameters<typeof SrtListener.listen>[0]> = {}): Promise<SrtListener> {
  const l = await SrtListener.listen({ port: 0, host: '127.0.0.1', ...options });
  open.push(l);
  return l;
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function payload(i: number): Buffer {
  const b = Buffer.alloc(1316);
  b.writeUInt32BE(i, 0);
  b.fill(i & 0xff, 4);
  return b;
}

describe('our caller to our listener', () => {
  it.each([undefined, 16, 24, 32])('carries messages in order (pbkeylen %s)', async (pbkeylen) => {
    const passphrase = pbkeylen ? 'loopback-secret' : undefined;
    const l = await listen({ passphrase, latencyMs: 200 });
    const got: Buffer[] = [];
    let server: SrtConnection | undefined;
    l.on('connection', (c) => {
      server = c;
      c.on('message', (m) => got.push(Buffer.from(m)));
    });
    const c = await SrtCaller.connect({
      host: '127.0.0.1',
      port: l.address.port,
      passphrase,
      pbkeylen,
      streamId: 's1',
    });
    open.push(c);
    expect(c.latencyMs).toBe(200); // the larger latency wins
    expect(c.encrypted).toBe(passphrase !== undefined);
    for (let i = 0; i < 300; i++) {
      c.send(payload(i));
      if (i % 30 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => got.length === 300).catch((e) => {
      throw new Error(
        `${String(e)}: ${got.length} delivered; caller ${JSON.stringify(c.stats())}; listener ${JSON.stringify(server?.stats())}`,
      );
    });
    expect(got.every((b, i) => b.equals(payload(i)))).toBe(true);
    expect(server?.streamId).toBe('s1');
    expect(c.stats().packetsSent).toBe(300);
    await until(() => c.stats().sendBufferPackets === 0);
    expect(server?.stats().packetsReceived).toBe(300);
  });

  it.each([undefined, 32])(
    "our listener delivers across the caller's 31-bit sequence and 32-bit timestamp wraps, in order (pbkeylen %s)",
    async (pbkeylen) => {
      const passphrase = pbkeylen ? 'loopback-secret' : undefined;
      const l = await listen({ passphrase, latencyMs: 120 });
      const got: Buffer[] = [];
      l.on('connection', (c) => c.on('message', (m) => got.push(Buffer.from(m))));
      const c = await SrtCaller.connect({
        host: '127.0.0.1',
        port: l.address.port,
        passphrase,
        pbkeylen,
        initialSequence: 2 ** 31 - 40,
        timestampOriginUs: 2 ** 32 - 200_000,
      });
      open.push(c);
      for (let i = 0; i < 100; i++) {
        c.send(payload(i));
        await new Promise((r) => setTimeout(r, 5)); // 0.5 s: both wraps inside
      }
      await until(() => got.length === 100);
      expect(got.map((m) => m.readUInt32BE(0))).toEqual([...Array(100).keys()]);
    },
  );

  it('refuses an initial sequence or timestamp origin out of range', async () => {
    await expect(SrtCaller.connect({ host: '127.0.0.1', port: 9, initialSequence: 2 ** 31 })).rejects.toThrow(
      'initialSequence must be an integer from 0 to 2^31 - 1, got 2147483648',
    );
    await expect(SrtCaller.connect({ host: '127.0.0.1', port: 9, timestampOriginUs: -1 })).rejects.toThrow(
      'timestampOriginUs must be an integer from 0 to 2^32 - 1, got -1',
    );
  });

  it('shows the stream ID before accepting, and rejects with the chosen code', async () => {
    const seen: SrtConnectRequest[] = [];
    const l = await listen({
      onConnectRequest: async (r) => {
        seen.push(r);
        await new Promise((res) => setTimeout(res, 300)); // an async decision: the caller repeats its conclusion
        return r.streamId === '#!::r=live/ok,m=publish'
          ? { accept: true }
          : { accept: false, rejectReason: SrtRejectPredefined.Forbidden };
      },
    });
    const err = await SrtCaller.connect({ host: '127.0.0.1', port: l.address.port, streamId: 'nope' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SrtConnectionError);
    expect((err as SrtConnectionError).rejectReason).toBe(1403);
    expect((err as SrtConnectionError).message).toContain('forbidden');
    const ok = await SrtCaller.connect({
      host: '127.0.0.1',
      port: l.address.port,
      streamId: '#!::r=live/ok,m=publish',
    });
    open.push(ok);
    expect(seen.map((s) => s.streamId)).toEqual(['nope', '#!::r=live/ok,m=publish']);
    expect(l.connectionCount).toBe(1);
  });

  it('a wrong passphrase is a clear error on both sides', async () => {
    const l = await listen({ passphrase: 'the-right-one' });
    const rejected: number[] = [];
    l.on('rejected', (_r, code) => rejected.push(code));
    const err = await SrtCaller.connect({ host: '127.0.0.1', port: l.address.port, passphrase: 'the-wrong-one' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'crypto', rejectReason: SrtRejectReason.BadSecret });
    expect(rejected).toEqual([SrtRejectReason.BadSecret]);
    const plain = await SrtCaller.connect({ host: '127.0.0.1', port: l.address.port }).catch((e: unknown) => e);
    expect(plain).toMatchObject({ code: 'crypto', rejectReason: SrtRejectReason.Unsecure });
  });

  it('times out against a port nobody answers, and the peer idle timeout ends a silent connection', async () => {
    const err = await SrtCaller.connect({ host: '127.0.0.1', port: 9, connectTimeoutMs: 600 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout' });
    const l = await listen({ peerIdleTimeoutMs: 2500 });
    const c = await SrtCaller.connect({ host: '127.0.0.1', port: l.address.port, peerIdleTimeoutMs: 60_000 });
    open.push(c);
    await until(() => l.connectionCount === 1);
    // the caller sends keepalives (every second), so the listener side stays up past its 2.5 s
    await new Promise((r) => setTimeout(r, 3500));
    expect(l.connectionCount).toBe(1);
    c.abort('local', undefined); // silence the caller without a SHUTDOWN
    await until(() => l.connectionCount === 0);
  });

  it('shutdown from the caller closes the listener side with reason "peer"', async () => {
    const l = await listen();
    const reasons: string[] = [];
    l.on('connection', (s) => s.on('close', (r) => reasons.push(r)));
    const c = await SrtCaller.connect({ host: '127.0.0.1', port: l.address.port });
    await until(() => l.connectionCount === 1);
    c.close();
    await until(() => reasons.length === 1);
    expect(reasons).toEqual(['peer']);
    expect(c.send(payload(1))).toBe(false);
  });
});
