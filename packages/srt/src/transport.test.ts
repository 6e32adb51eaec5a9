/** The live transport between two in-process connections over a lossy, delaying link (no sockets). */
import { afterEach, describe, expect, it } from 'vitest';
import { nowUs } from './clock.js';
import { SrtConnection, type ConnectionParams } from './connection.js';
import { SrtCipher } from './cipher.js';

const open: SrtConnection[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.abort('local', undefined);
});

interface Link {
  /** Drop this data packet (by its sequence number and whether it is a retransmission)? */
  drop?: (seq: number, retransmitted: boolean, control: boolean) => boolean;
  delayMs?: number;
}

function pair(link: Link, extra: Partial<ConnectionParams> = {}): { a: SrtConnection; b: SrtConnection } {
  const ends: { a?: SrtConnection; b?: SrtConnection } = {};
  const wire =
    (to: () => SrtConnection | undefined) =>
    (buf: Buffer, length: number): void => {
      const copy = Buffer.from(buf.subarray(0, length));
      const control = (copy[0]! & 0x80) !== 0;
      const seq = copy.readUInt32BE(0) & 0x7fffffff;
      const rexmit = !control && (copy[4]! & 0x04) !== 0;
      if (link.drop?.(seq, rexmit, control)) return;
      const deliver = (): void => to()?.handlePacket(copy);
      if (link.delayMs) setTimeout(deliver, link.delayMs);
      else setImmediate(deliver);
    };
  const base: ConnectionParams = {
    role: 'caller',
    socketId: 1,
    peerSocketId: 2,
    initialSeq: 0x7fffff00, // wraps during the test
    startUs: nowUs(),
    latencyMs: 300,
    peerLatencyMs: 300,
    streamId: '',
    remoteAddress: '127.0.0.1',
    remotePort: 1,
    payloadSize: 1316,
    flowWindow: 8192,
    maxBandwidth: -1,
    overheadPercent: 25,
    peerIdleTimeoutMs: 5000,
    txCipher: undefined,
    rxCipher: undefined,
    kmRefreshRate: 1 << 24,
    kmPreAnnounce: 4096,
    output: wire(() => ends.b),
    ...extra,
  };
  const a = new SrtConnection(base);
  ends.a = a;
  const b = new SrtConnection({
    ...base,
    role: 'listener',
    socketId: 2,
    peerSocketId: 1,
    txCipher: extra.rxCipher,
    rxCipher: extra.txCipher,
    output: wire(() => ends.a),
  });
  ends.b = b;
  open.push(a, b);
  return { a, b };
}

function payload(i: number): Buffer {
  const p = Buffer.alloc(1316, i & 0xff);
  p.writeUInt32BE(i, 0);
  return p;
}

async function sendPaced(c: SrtConnection, n: number, perMs = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    c.send(payload(i));
    if (i % perMs === perMs - 1) await new Promise((r) => setTimeout(r, 1));
  }
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('live transport', () => {
  it('retransmits what a lossy link drops (10 % of data, every first try of the tail), across the sequence wrap', async () => {
    let n = 0;
    const { a, b } = pair({
      delayMs: 5,
      drop: (seq, rexmit, control) => !control && !rexmit && (n++ % 10 === 3 || seq === 0x7fffff00 + 399),
    });
    const got: number[] = [];
    b.on('message', (m) => got.push(m.readUInt32BE(0)));
    await sendPaced(a, 400, 4);
    await until(() => got.length === 400);
    expect(got).toEqual([...Array(400).keys()]);
    const s = a.stats();
    expect(s.packetsRetransmitted).toBeGreaterThanOrEqual(41);
    expect(b.stats().packetsLost).toBeGreaterThanOrEqual(39);
    expect(b.stats().packetsDropped).toBe(0);
    expect(b.stats().packetsReceivedRetransmitted).toBeGreaterThanOrEqual(40);
  });

  it('drops too late: a packet never retransmitted is skipped at its play time and counted', async () => {
    // the sender's copies of seq 10 are all lost (first try and retransmissions)
    const { a, b } = pair(
      { drop: (seq, _r, control) => !control && seq === 0x7fffff00 + 10 },
      { latencyMs: 150, peerLatencyMs: 150 },
    );
    const got: number[] = [];
    b.on('message', (m) => got.push(m.readUInt32BE(0)));
    await sendPaced(a, 50, 2);
    await until(() => got.length === 49);
    expect(got).not.toContain(10);
    expect(got).toEqual([...Array(50).keys()].filter((i) => i !== 10));
    await until(() => b.stats().packetsDropped === 1);
    expect(a.stats().packetsRetransmitted).toBeGreaterThan(0);
  });

  it('delivers at timestamp + latency, not before', async () => {
    const { a, b } = pair({}, { latencyMs: 400, peerLatencyMs: 400 });
    let at = 0;
    b.on('message', () => {
      at ||= Date.now();
    });
    const sent = Date.now();
    a.send(payload(1));
    await until(() => at > 0);
    expect(at - sent).toBeGreaterThanOrEqual(380);
  });

  it('measures the RTT from ACK/ACKACK over a delaying link', async () => {
    const { a, b } = pair({ delayMs: 40 });
    b.on('message', () => undefined);
    await sendPaced(a, 300, 1);
    await until(() => b.stats().rttMs > 60 && b.stats().rttMs < 200 && a.stats().rttMs > 60);
  });

  it('refreshes the encryption key mid-stream (even -> odd -> even) without losing a packet', async () => {
    const tx = SrtCipher.generate('refresh-passphrase', 16);
    const rx = SrtCipher.fromKm('refresh-passphrase', tx.kmMessage(1)) as SrtCipher;
    const { a, b } = pair({}, { txCipher: tx, rxCipher: rx, kmRefreshRate: 100, kmPreAnnounce: 20 });
    const got: number[] = [];
    b.on('message', (m) => got.push(m.readUInt32BE(0)));
    await sendPaced(a, 350, 2);
    await until(() => got.length === 350);
    expect(got).toEqual([...Array(350).keys()]);
    expect(b.stats().packetsUndecrypted).toBe(0);
  });

  it('paces to maxBandwidth: 300 packets at 600 kB/s take about 0.66 s', async () => {
    const { a, b } = pair({}, { maxBandwidth: 600_000 });
    let count = 0;
    let last = 0;
    b.on('message', () => {
      count++;
      last = Date.now();
    });
    const start = Date.now();
    for (let i = 0; i < 300; i++) a.send(payload(i)); // one burst of 395 kB
    expect(a.stats().packetsSent).toBeLessThan(30); // the token bucket holds 20 ms (6 packets)
    await until(() => count === 300);
    expect(last - start).toBeGreaterThanOrEqual(600); // 0.66 s on the wire (late ones play on arrival)
    expect(a.stats().sendRateLimit).toBe(600_000);
  });
});
