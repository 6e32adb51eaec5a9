import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWithPeers, freeUdpPort, readFixture, startFfmpegFrameCrc, waitFor } from '@sluice/test-support';
import { TsSenderError, UdpTsSender, checkTsUrl, parseTsUrl } from './index.js';
import { readFlv } from './test-support/media-source.js';
import { sendLive, waitForUdpListener } from './test-support/live.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A UDP receiver on 127.0.0.1 collecting datagrams. */
async function receiver(): Promise<{ port: number; datagrams: Buffer[] }> {
  const socket = createSocket('udp4');
  const datagrams: Buffer[] = [];
  socket.on('message', (m) => datagrams.push(m));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  return { port: socket.address().port, datagrams };
}

function packets(n: number, first = 0): Uint8Array {
  const b = new Uint8Array(188 * n);
  for (let i = 0; i < n; i++) {
    b[i * 188] = 0x47;
    b[i * 188 + 1] = (first + i) & 0xff;
  }
  return b;
}

describe('UdpTsSender', () => {
  it('sends 1316-byte datagrams aligned to packets whatever the chunking; the last may be shorter', async () => {
    const rx = await receiver();
    const s = new UdpTsSender(`udp://127.0.0.1:${rx.port}`);
    expect(s.packetSize).toBe(1316);
    await s.open();
    const all = packets(100);
    let o = 0;
    for (const n of [1, 3, 7, 10, 2, 29, 48]) {
      expect(s.send(all.subarray(o, o + n * 188))).toBe(true);
      o += n * 188;
    }
    await s.close();
    await waitFor(() => rx.datagrams.reduce((n, d) => n + d.length, 0) === all.length, 5000, 'all datagrams');
    const sizes = rx.datagrams.map((d) => d.length);
    expect(sizes.slice(0, -1).every((n) => n === 1316)).toBe(true);
    expect(sizes.at(-1)).toBe(188 * (100 % 7));
    expect(Buffer.concat(rx.datagrams).equals(Buffer.from(all))).toBe(true);
    for (const d of rx.datagrams) expect(d[0]).toBe(0x47);
    expect(s.bytesSent).toBe(all.length);
  });

  it('honours pkt_size and ttl in the URL', async () => {
    const rx = await receiver();
    const s = new UdpTsSender(`udp://127.0.0.1:${rx.port}?pkt_size=564&ttl=4`);
    expect(s.packetSize).toBe(564);
    await s.open();
    s.send(packets(9));
    await s.close();
    await waitFor(() => rx.datagrams.length === 3, 5000, 'datagrams');
    expect(rx.datagrams.map((d) => d.length)).toEqual([564, 564, 564]);
  });

  it('validates URLs with exact messages', () => {
    expect(() => new UdpTsSender('udp://127.0.0.1:5000?pkt_size=1000')).toThrow(
      new TsSenderError(
        'url',
        'Invalid URL [udp://127.0.0.1:5000?pkt_size=1000]: pkt_size must be a multiple of 188 from 188 to 65424, got 1000',
      ),
    );
    expect(() => new UdpTsSender('udp://127.0.0.1')).toThrow(
      'Invalid URL [udp://127.0.0.1]: a port 1..65535 is required',
    );
    expect(() => new UdpTsSender('tcp://127.0.0.1:5000')).toThrow(
      'Invalid URL [tcp://127.0.0.1:5000]: UdpTsSender needs udp://',
    );
    expect(() => new UdpTsSender('udp://127.0.0.1:5000?ttl=0')).toThrow(
      'Invalid URL [udp://127.0.0.1:5000?ttl=0]: ttl must be 1..255, got 0',
    );
    expect(checkTsUrl('http://x:1')).toBe('Invalid URL [http://x:1]: scheme must be udp or tcp');
    expect(checkTsUrl('udp://239.0.0.1:1234?pkt_size=188')).toBeNull();
  });

  it("parses the pacing options bitrate and burst_bits (ffmpeg's names)", () => {
    const d = parseTsUrl('udp://127.0.0.1:5000?bitrate=6000000&burst_bits=105280');
    expect([d.bitrate, d.burstBits]).toEqual([6_000_000, 105_280]);
    expect(parseTsUrl('udp://127.0.0.1:5000').bitrate).toBeUndefined();
    expect(checkTsUrl('udp://127.0.0.1:5000?bitrate=2M')).toBe(
      'Invalid URL [udp://127.0.0.1:5000?bitrate=2M]: bitrate must be an integer from 1 to 10000000000, got 2M',
    );
    expect(checkTsUrl('udp://127.0.0.1:5000?burst_bits=0')).toMatch(/burst_bits must be an integer/);
  });

  it('reports an unreachable port (ICMP) through onError without throwing', async () => {
    const port = await freeUdpPort();
    const s = new UdpTsSender(`udp://127.0.0.1:${port}`);
    const errors: TsSenderError[] = [];
    s.onError((e) => errors.push(e as TsSenderError));
    await s.open();
    for (let i = 0; i < 20 && errors.length === 0; i++) {
      s.send(packets(7));
      await new Promise((r) => setTimeout(r, 20));
    }
    await s.close();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(TsSenderError);
    expect(errors[0]!.code).toBe('unreachable');
    expect(errors[0]!.message).toBe(`udp://127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
    expect(s.unreachableCount).toBeGreaterThan(0);
  });
});

describeWithPeers(['ffmpeg'], 'UdpTsSender → ffmpeg -i udp://', () => {
  it('ffmpeg receives a live push and decodes every frame', async () => {
    const port = await freeUdpPort();
    const ffmpeg = startFfmpegFrameCrc(`udp://127.0.0.1:${port}?timeout=2000000`);
    cleanups.push(async () => void (await ffmpeg.stop()));
    await waitForUdpListener(port);
    const source = readFlv(readFixture('h264-high-aac.flv'));
    const sender = new UdpTsSender(`udp://127.0.0.1:${port}`);
    await sender.open();
    await sendLive(source, sender, 2);
    await sender.close();
    await ffmpeg.exited;
    const video = ffmpeg.frames(0);
    const audio = ffmpeg.frames(1);
    expect(video).toBe(source.packets.filter((p) => p.trackId === 0).length);
    expect(audio).toBeGreaterThanOrEqual(source.packets.filter((p) => p.trackId === 1).length - 2);
    // the only complaint allowed is the read timeout that ends the input
    expect(ffmpeg.errorsBeyondUdpTimeout()).toEqual([]);
    expect(sender.bytesSent).toBeGreaterThan(100_000);
  });
});
