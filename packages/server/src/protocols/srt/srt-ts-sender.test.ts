import { SrtListener, SrtRejectPredefined, type SrtConnection } from '@sluice/srt';
import { waitFor } from '@sluice/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSrtPushUrl, SrtTsSender } from './srt-ts-sender.js';

const listeners: SrtListener[] = [];
afterEach(async () => {
  for (const l of listeners.splice(0)) await l.close();
});

/** TS-looking packets numbered in their second byte, `count` of them. */
function tsPackets(first: number, count: number): Uint8Array {
  const out = new Uint8Array(188 * count);
  for (let i = 0; i < count; i++) {
    out[i * 188] = 0x47;
    out[i * 188 + 1] = (first + i) & 0xff;
  }
  return out;
}

async function listen(accept = true): Promise<{ port: number; received: Buffer[]; connections: SrtConnection[] }> {
  const received: Buffer[] = [];
  const connections: SrtConnection[] = [];
  const listener = await SrtListener.listen({
    host: '127.0.0.1',
    port: 0,
    onConnectRequest: () => (accept ? { accept: true } : { accept: false, rejectReason: SrtRejectPredefined.NotFound }),
  });
  listener.on('connection', (c) => {
    connections.push(c);
    c.on('message', (m) => received.push(Buffer.from(m)));
  });
  listeners.push(listener);
  return { port: listener.address.port, received, connections };
}

describe('SrtTsSender', () => {
  it('cuts the muxer output into 7-packet payloads, sends the rest on close, counts what the kernel took', async () => {
    const { port, received } = await listen();
    const sender = new SrtTsSender(`srt://127.0.0.1:${port}?latency=20000`, 3000);
    await sender.open();
    for (let i = 0; i < 10; i++) expect(sender.send(tsPackets(i * 3, 3))).toBe(true); // 30 packets
    await sender.close();
    await waitFor(() => received.reduce((n, m) => n + m.length, 0) === 30 * 188, 10_000, 'all TS packets received');
    expect(received.map((m) => m.length)).toEqual([1316, 1316, 1316, 1316, 376]);
    const all = Buffer.concat(received);
    for (let i = 0; i < 30; i++) expect(all[i * 188 + 1]).toBe(i);
    // every datagram: the 5 data packets (16-byte SRT header each) and the control packets
    expect(sender.bytesSent).toBeGreaterThanOrEqual(30 * 188 + 5 * 16);
    expect(sender.bufferedBytes).toBe(0);
    expect(sender.recoveryCounters()).toEqual({
      retransmittedPackets: 0,
      retransmittedBytes: 0,
      lostPackets: 0,
      droppedPackets: 0,
    });
  });

  it("reports the receiver's shutdown as an error naming the destination", async () => {
    const { port, connections } = await listen();
    const sender = new SrtTsSender(`srt://127.0.0.1:${port}`, 3000);
    const errors: string[] = [];
    sender.onError((e) => errors.push(e.message));
    await sender.open();
    await waitFor(() => connections.length === 1, 5000, 'accepted');
    connections[0]!.close();
    await waitFor(() => errors.length === 1, 5000, 'the shutdown reported');
    expect(errors).toEqual([`srt://127.0.0.1:${port}: the receiver closed the connection (SRT shutdown)`]);
    expect(sender.send(tsPackets(0, 7))).toBe(false);
    await sender.close();
  });

  it("fails open with the listener's reject reason", async () => {
    const { port } = await listen(false);
    const sender = new SrtTsSender(`srt://127.0.0.1:${port}`, 3000);
    await expect(sender.open()).rejects.toThrow(
      `srt://127.0.0.1:${port}: the listener rejected the connection: not found (1404)`,
    );
  });

  it('takes only caller URLs whose payloads are whole TS packets', () => {
    expect(parseSrtPushUrl('srt://h:1?pkt_size=1128')).toMatchObject({ payloadSize: 1128 });
    expect(() => parseSrtPushUrl('srt://:1?mode=listener')).toThrow('a push calls its destination (mode=caller)');
    expect(() => parseSrtPushUrl('srt://h:1?pkt_size=1000')).toThrow('pkt_size must be a multiple of 188');
  });
});
