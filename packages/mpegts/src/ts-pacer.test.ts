import { describe, expect, it } from 'vitest';
import { readFixture, waitFor } from '@sluice/test-support';
import { TsOutlet, TsPacer, TsStreamOutput, type TsDatagramSender } from './index.js';
import { comparableVideoPayload, interleave, readFlv, readTs } from './test-support/media-source.js';

const source = readFlv(readFixture('h264-high-aac.flv'));
const packets = interleave(source);
const ms = (p: { trackId: number; dts: number }): number =>
  (p.dts * 1000) / source.tracks.find((t) => t.id === p.trackId)!.timescale;

/** Records what was sent and when (the test's clock). */
class RecordingSender implements TsDatagramSender {
  sent: Array<{ t: number; d: Uint8Array }> = [];
  refuse = false;
  corked = 0;
  constructor(private readonly clock: { t: number }) {}
  sendDatagram(d: Uint8Array): boolean {
    if (this.refuse) return false;
    this.sent.push({ t: this.clock.t, d });
    return true;
  }
  cork(): void {
    this.corked++;
  }
  uncork(): void {}
}

/** A live output: packets enter at 0 + their DTS in ms; returns a function that feeds up to time t. */
function liveOutput(clock: { t: number }): { out: TsStreamOutput; feedTo: (t: number) => void } {
  const out = new TsStreamOutput({ now: () => clock.t });
  out.start(source.tracks);
  let i = 0;
  return {
    out,
    feedTo: (t) => {
      while (i < packets.length && ms(packets[i]!) <= t) out.write(packets[i++]!);
    },
  };
}

function maxBytesIn(sent: Array<{ t: number; d: Uint8Array }>, windowMs: number): number {
  let max = 0;
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < sent.length; i++) {
    bytes += sent[i]!.d.length;
    while (sent[i]!.t - sent[from]!.t >= windowMs) bytes -= sent[from++]!.d.length;
    if (bytes > max) max = bytes;
  }
  return max;
}

describe('TsOutlet', () => {
  it('starts at once with the current GOP, catches up at the bounded burst rate, then follows live', () => {
    const clock = { t: 0 };
    const { out, feedTo } = liveOutput(clock);
    for (; clock.t < 1900; clock.t += 4) feedTo(clock.t);
    const sender = new RecordingSender(clock);
    const outlet = new TsOutlet(out, sender, { minBitrate: 100_000 });
    const joinedAt = clock.t;
    const startSeq = outlet.cursor;
    expect(startSeq).toBe(out.lastRandomAccess);
    outlet.pump(clock.t);
    expect(sender.sent.length).toBeGreaterThan(0); // the first datagram leaves in the same turn
    const first = sender.sent[0]!.d;
    expect([first[0], first[1]! & 0x1f, first[2]]).toEqual([0x47, 0, 0]); // PAT + PMT + keyframe first
    let liveAt = Number.NaN;
    for (; clock.t < 3100; clock.t += 4) {
      feedTo(clock.t);
      outlet.pump(clock.t);
      if (Number.isNaN(liveAt) && outlet.cursor === out.end) liveAt = clock.t;
    }
    // caught up on ~0.9 s of GOP at 2.5x: within about 0.9 / 1.5 s
    expect(liveAt - joinedAt).toBeLessThan(900);
    expect(liveAt - joinedAt).toBeGreaterThan(200); // not at socket speed
    const rate = out.bytesPerMs * 2.5;
    expect(maxBytesIn(sender.sent, 10)).toBeLessThanOrEqual(rate * 14 + 2 * 1316);
    // every datagram from the join on, in order, the output's own bytes (no copy)
    expect(sender.sent.length).toBe(out.end - startSeq);
    expect(sender.sent.every((s, i) => s.d === out.datagram(startSeq + i))).toBe(true);
    expect(outlet.bytesSent).toBe(sender.sent.length * 1316);
    outlet.detach();
    expect(out.readerCount).toBe(0);
  });

  it('honours a configured bitrate and burst_bits', () => {
    const clock = { t: 0 };
    const { out, feedTo } = liveOutput(clock);
    for (; clock.t < 1900; clock.t += 4) feedTo(clock.t);
    const sender = new RecordingSender(clock);
    const outlet = new TsOutlet(out, sender, { bitrate: 1_000_000, burstBits: 8 * 1316 * 4 });
    for (let end = clock.t + 200; clock.t < end; clock.t += 4) outlet.pump(clock.t);
    const bytes = sender.sent.reduce((n, s) => n + s.d.length, 0);
    // 200 ms at 1 Mbit/s = 25 kB, plus the 4-datagram bucket
    expect(bytes).toBeLessThanOrEqual(25_000 + 4 * 1316 + 1316);
    expect(bytes).toBeGreaterThan(20_000);
  });

  it('unpaced (TCP): sends everything available in one corked batch', () => {
    const clock = { t: 0 };
    const { out, feedTo } = liveOutput(clock);
    for (; clock.t < 1900; clock.t += 4) feedTo(clock.t);
    const sender = new RecordingSender(clock);
    const outlet = new TsOutlet(out, sender, { paced: false });
    outlet.pump(clock.t);
    expect(outlet.cursor).toBe(out.end);
    expect(sender.corked).toBe(1);
  });

  it('skips to the latest random-access point when it falls behind by more than maxLagMs', () => {
    const clock = { t: 0 };
    const { out, feedTo } = liveOutput(clock);
    feedTo(0);
    const sender = new RecordingSender(clock);
    const outlet = new TsOutlet(out, sender, { paced: false, maxLagMs: 500 });
    outlet.pump(0);
    sender.refuse = true;
    for (; clock.t < 2500; clock.t += 4) {
      feedTo(clock.t);
      outlet.pump(clock.t);
    }
    sender.refuse = false;
    outlet.pump(clock.t);
    expect(outlet.skippedBytes).toBeGreaterThan(0);
    const resumed = sender.sent.find((s) => s.t === clock.t)!.d;
    expect([resumed[0], resumed[1]! & 0x1f, resumed[2]]).toEqual([0x47, 0, 0]);
  });

  it('at close, sends up to the end of the frame being sent: the last frame is whole', () => {
    const clock = { t: 0 };
    const { out, feedTo } = liveOutput(clock);
    for (; clock.t < 1900; clock.t += 4) feedTo(clock.t);
    const sender = new RecordingSender(clock);
    const outlet = new TsOutlet(out, sender, { minBitrate: 100_000 });
    outlet.pump(clock.t); // a keyframe is being sent, paced: it is not whole yet
    outlet.sendRest(false);
    const got = readTs(Buffer.concat(sender.sent.map((s) => s.d)));
    expect(got.errors).toEqual([]);
    const vTrack = got.tracks.find((t) => t.kind === 'video')!;
    const video = got.packets.filter((p) => p.trackId === vTrack.id);
    expect(video.length).toBeGreaterThan(0);
    const whole = new Set(
      packets
        .filter((p) => p.trackId === source.tracks.find((t) => t.kind === 'video')!.id)
        .map((p) => comparableVideoPayload(vTrack.codec, p.data)),
    );
    const bad = video
      .map((p, i) => (whole.has(comparableVideoPayload(vTrack.codec, p.data)) ? -1 : i))
      .filter((i) => i >= 0);
    expect(bad, `of ${video.length}`).toEqual([]);
  });

  it('waits for the first random-access point when the output has none yet', () => {
    const clock = { t: 0 };
    const out = new TsStreamOutput({ now: () => clock.t });
    const sender = new RecordingSender(clock);
    const outlet = new TsOutlet(out, sender, { paced: false });
    out.start(source.tracks);
    for (const p of packets) out.write(p);
    outlet.pump(0);
    const first = sender.sent[0]!.d;
    expect([first[0], first[1]! & 0x1f, first[2]]).toEqual([0x47, 0, 0]);
  });
});

describe('TsPacer', () => {
  it('one timer for all outlets: ticks while any is attached, stops with the last', async () => {
    const pacer = new TsPacer(4);
    const clock = { t: 0 };
    const outputs = [0, 1, 2].map(() => {
      const out = new TsStreamOutput();
      out.start(source.tracks);
      out.beginReplay();
      for (const p of packets) out.write(p);
      out.endReplay();
      return out;
    });
    const senders = outputs.map(() => new RecordingSender(clock));
    const outlets = outputs.map((o, i) => new TsOutlet(o, senders[i]!, {}));
    for (const o of outlets) pacer.add(o);
    expect(pacer.size).toBe(3);
    await waitFor(() => outlets.every((o, i) => o.cursor === outputs[i]!.end), 10_000, 'all outlets caught up');
    expect(pacer.ticks).toBeGreaterThan(0);
    for (const o of outlets) pacer.remove(o);
    expect(pacer.size).toBe(0);
    const ticks = pacer.ticks;
    await new Promise((r) => setTimeout(r, 30));
    expect(pacer.ticks).toBe(ticks);
  });
});
