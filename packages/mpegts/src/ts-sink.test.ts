import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture, waitFor } from '@sluice/test-support';
import { TsDemuxer, TsPacer, TsPushSink } from './index.js';
import { interleave, readFlv } from './test-support/media-source.js';

const source = readFlv(readFixture('h264-high-aac.flv'));
const packets = interleave(source);
const ms = (p: { trackId: number; dts: number }): number =>
  (p.dts * 1000) / source.tracks.find((t) => t.id === p.trackId)!.timescale;

/** A plain receiver on a free port: every datagram with its arrival time. */
async function receiver(): Promise<{ socket: Socket; port: number; got: Array<{ t: number; d: Buffer }> }> {
  const socket = createSocket('udp4');
  const got: Array<{ t: number; d: Buffer }> = [];
  socket.on('message', (d) => got.push({ t: performance.now(), d }));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, got };
}

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe('TsPushSink over udp://', () => {
  it('sends the GOP given in the turn open() resolves at the burst rate, not at socket speed, then live', async () => {
    const rx = await receiver();
    sockets.push(rx.socket);
    const pacer = new TsPacer(4);
    const bitrate = 4_000_000;
    const sink = new TsPushSink({ url: `udp://127.0.0.1:${rx.port}?bitrate=${bitrate}` }, {}, undefined, { pacer });
    await sink.open(source.tracks);
    // the session's flush: the GOP it kept while connecting, in the same turn (the first 2 s)
    const gop = packets.filter((p) => ms(p) < 2000);
    const openedAt = performance.now();
    for (const p of gop) expect(sink.send(p)).toBe(true);
    expect(sink.bufferedBytes).toBeGreaterThan(0);
    await waitFor(() => sink.bufferedBytes === 0, 10_000, 'the GOP sent');
    await waitFor(() => rx.got.length * 1316 >= sink.bytesSent, 2000, 'the GOP received');
    const bytes = rx.got.reduce((n, g) => n + g.d.length, 0);
    expect(bytes).toBe(sink.bytesSent);
    expect(bytes).toBeGreaterThan(50_000);
    // first datagram at once; the whole GOP at about the configured rate (not in a few ms)
    expect(rx.got[0]!.t - openedAt).toBeLessThan(50);
    const span = rx.got.at(-1)!.t - rx.got[0]!.t;
    const atRate = ((bytes * 8) / bitrate) * 1000;
    expect(span).toBeGreaterThan(0.8 * atRate - 10);
    // close() flushes the muxer's gathered audio and sends it at once
    await sink.close();
    expect(pacer.size).toBe(0);
    await waitFor(() => rx.got.reduce((n, g) => n + g.d.length, 0) === sink.bytesSent, 2000, 'the rest received');
    expect(rx.got.every((g) => g.d.length === 1316)).toBe(true);
    // what arrived is one clean stream that starts with PAT, PMT and the keyframe
    const demuxed: number[] = [];
    const demuxer = new TsDemuxer({
      onTracks: () => undefined,
      onPacket: (p) => demuxed.push(p.trackId),
      onError: (e) => {
        throw e;
      },
    });
    for (const g of rx.got) demuxer.push(g.d);
    demuxer.end();
    expect(demuxer.stats.continuityErrors).toBe(0);
    expect(demuxed.length).toBe(gop.length);
  });

  it('counts only the bytes the kernel accepted (bytesSent), and close() sends what is left', async () => {
    const rx = await receiver();
    sockets.push(rx.socket);
    const pacer = new TsPacer(4);
    const sink = new TsPushSink({ url: `udp://127.0.0.1:${rx.port}` }, {}, undefined, { pacer });
    await sink.open(source.tracks);
    for (const p of packets.filter((x) => ms(x) < 1000)) sink.send(p);
    await new Promise((r) => setImmediate(r));
    // later packets arrive live: due now, sent within a tick or two
    for (const p of packets.filter((x) => ms(x) >= 1000 && ms(x) < 1100)) sink.send(p);
    await sink.close();
    await waitFor(() => rx.got.reduce((n, g) => n + g.d.length, 0) === sink.bytesSent, 2000, 'all received');
    expect(sink.bytesSent).toBeGreaterThan(50_000);
    expect(sink.bufferedBytes).toBe(0);
    expect(sink.send(packets[0]!)).toBe(false);
  });
});
