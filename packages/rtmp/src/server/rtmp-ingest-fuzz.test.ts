import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connect } from 'node:net';
import { encodeAmf0Values, writeFlvTagHeader } from '@sluice/media';
import type { Amf0Value } from '@sluice/media';
import { waitFor } from '@sluice/test-support';
import { RtmpServer } from './rtmp-server.js';
import type { RtmpIngestSession } from './rtmp-ingest-session.js';
import { ChunkStreamWriter } from '../chunk/chunk-stream-writer.js';
import { ClientHandshake } from '../handshake/client-handshake.js';
import { decodeCommand } from '../command/command-message.js';
import { RtmpProtocolError } from '../errors.js';
import { demuxFixture } from '../test-support/fixtures.js';

const CAPS = { maxMessageLength: 256 * 1024, maxChunkStreams: 8, maxPendingBytes: 512 * 1024 };

/** A valid publisher byte stream (after the handshake): connect, createStream, publish, metadata, media. */
function validClientStream(): Uint8Array {
  const w = new ChunkStreamWriter();
  const parts: Uint8Array[] = [w.setChunkSize(1024)];
  const cmd = (streamId: number, ...values: Amf0Value[]) =>
    parts.push(
      w.encode(streamId === 0 ? 3 : 5, { typeId: 20, timestamp: 0, streamId, payload: encodeAmf0Values(values) }),
    );
  cmd(0, 'connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live', fourCcList: ['hvc1'] });
  cmd(0, 'releaseStream', 2, null, 'fuzz');
  cmd(0, 'createStream', 3, null);
  cmd(1, 'publish', 0, null, 'fuzz', 'live');
  parts.push(
    w.encode(5, {
      typeId: 18,
      timestamp: 0,
      streamId: 1,
      payload: encodeAmf0Values(['@setDataFrame', 'onMetaData', { width: 320, videocodecid: 7, audiocodecid: 10 }]),
    }),
  );
  const { packets } = demuxFixture('h264-baseline-aac.flv');
  for (const p of packets.slice(0, 12)) {
    const head = p.trackId === 0 ? Uint8Array.of(p.key ? 0x17 : 0x27, 1, 0, 0, 0) : Uint8Array.of(0xaf, 1);
    parts.push(w.encodeParts(p.trackId === 0 ? 6 : 4, p.trackId === 0 ? 9 : 8, p.dts, 1, head, p.data));
  }
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

describe('command layer', () => {
  it('property: decodeCommand on random bytes returns or throws RtmpProtocolError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeCommand(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(RtmpProtocolError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('RtmpIngestSession under random and mutated input', () => {
  let server: RtmpServer;
  let port: number;
  const sessions: RtmpIngestSession[] = [];
  let maxBuffered = 0;
  beforeAll(async () => {
    server = new RtmpServer({ reader: CAPS, maxCommandLength: 4096, publishTimeoutMs: 2000 });
    port = await server.listen(0);
    server.on('session', (s) => {
      sessions.push(s);
      s.on('packet', () => (maxBuffered = Math.max(maxBuffered, s.connection.reader.bufferedBytes)));
    });
  });
  afterAll(() => server.close());

  /** Sends handshake + bytes, half-closes, and resolves when the server's session has closed. */
  async function feed(bytes: Uint8Array, cut: number): Promise<RtmpIngestSession> {
    const before = sessions.length;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    const hs = new ClientHandshake();
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(hs.start());
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => {
        const step = hs.push(d);
        if (step.send) socket.write(step.send);
        if (step.done) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
      socket.once('close', () => resolve());
    });
    for (let o = 0; o < bytes.length; o += cut) socket.write(bytes.subarray(o, o + cut));
    socket.end();
    await waitFor(() => sessions.length > before, 5000, 'session');
    const session = sessions[before]!;
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    if (!server.sessions.has(session)) return session;
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    socket.destroy();
    return session;
  }

  const valid = validClientStream();

  it('accepts media in aggregate messages (type 22)', async () => {
    const w = new ChunkStreamWriter();
    const parts: Uint8Array[] = [];
    const cmd = (streamId: number, ...values: Amf0Value[]) =>
      parts.push(
        w.encode(streamId === 0 ? 3 : 5, { typeId: 20, timestamp: 0, streamId, payload: encodeAmf0Values(values) }),
      );
    cmd(0, 'connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' });
    cmd(0, 'createStream', 2, null);
    cmd(1, 'publish', 0, null, 'agg', 'live');
    const { packets, tracks } = demuxFixture('audio-only.flv');
    const tags = [
      Uint8Array.of(0xaf, 0, ...tracks[0]!.config!),
      ...packets.slice(0, 10).map((p) => Uint8Array.of(0xaf, 1, ...p.data)),
    ];
    const times = [0, ...packets.slice(0, 10).map((p) => p.dts)];
    // an aggregate whose sub-tags carry timestamps 5000 + t; the message itself is at 1000
    const agg = new Uint8Array(tags.reduce((n, t) => n + 15 + t.length, 0));
    let o = 0;
    for (const [k, t] of tags.entries()) {
      writeFlvTagHeader(agg, o, 8, t.length, 5000 + times[k]!);
      agg.set(t, o + 11);
      new DataView(agg.buffer).setUint32(o + 11 + t.length, 11 + t.length);
      o += 15 + t.length;
    }
    parts.push(w.encode(4, { typeId: 22, timestamp: 1000, streamId: 1, payload: agg }));
    const got: number[] = [];
    server.once('publish', (s) => s.on('packet', (p) => got.push(p.dts)));
    const all = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
    let q = 0;
    for (const x of parts) {
      all.set(x, q);
      q += x.length;
    }
    await feed(all, 1000);
    expect(got).toEqual(packets.slice(0, 10).map((p) => 1000 + p.dts));
  });

  it('a valid stream publishes (sanity check for the mutations below)', async () => {
    let packets = 0;
    server.once('publish', (s) => s.on('packet', () => packets++));
    const s = await feed(valid, 977);
    expect(packets).toBeGreaterThan(0);
    expect(s.closeError).toBeUndefined();
  });

  it('property: mutated and random streams never escape the session, stay within the caps, and always close', async () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('flip' as const),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
        count: fc.integer({ min: 1, max: 20 }),
      }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 2000 }) }),
      fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 64 }) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, fc.integer({ min: 1, max: 1500 }), async (m, cut) => {
        let bytes: Uint8Array;
        if (m.kind === 'random') bytes = m.bytes;
        else if (m.kind === 'truncate') bytes = valid.subarray(0, m.at % valid.length);
        else if (m.kind === 'splice') {
          const at = m.at % valid.length;
          bytes = new Uint8Array([...valid.subarray(0, at), ...m.bytes, ...valid.subarray(at)]);
        } else {
          bytes = valid.slice();
          for (let i = 0; i < m.count; i++) bytes[(m.at + i * 7919) % bytes.length] = (m.value + i) & 0xff;
        }
        const s = await feed(bytes, cut);
        expect(server.sessions.has(s)).toBe(false);
        expect(s.connection.isClosed).toBe(true);
        if (s.closeError !== undefined) expect(s.closeError.name).toMatch(/^Rtmp|^Error$/);
      }),
      { numRuns: 150 },
    );
    expect(maxBuffered).toBeLessThanOrEqual(CAPS.maxPendingBytes);
    // the server still serves a good publisher afterwards
    let packets = 0;
    server.once('publish', (s) => s.on('packet', () => packets++));
    await feed(valid, 4096);
    expect(packets).toBeGreaterThan(0);
  });

  it('property: arbitrary AMF0 command values never break the session', async () => {
    // AMF0 objects cannot have empty property names (the empty name ends an object)
    const value = fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => !JSON.stringify(v).includes('"":')) as fc.Arbitrary<Amf0Value>;
    const name = fc.constantFrom(
      'connect',
      'createStream',
      'publish',
      'FCPublish',
      'releaseStream',
      'deleteStream',
      'FCUnpublish',
      'play',
      'closeStream',
      '@setDataFrame',
      'x',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            name,
            fc.oneof(fc.nat(), fc.constant(0)),
            value,
            fc.array(value, { maxLength: 3 }),
            fc.constantFrom(0, 1),
          ),
          { maxLength: 8 },
        ),
        async (cmds) => {
          const w = new ChunkStreamWriter();
          const parts = cmds.map(([n, txn, obj, args, sid]) =>
            w.encode(sid === 0 ? 3 : 5, {
              typeId: sid === 0 ? 20 : 18,
              timestamp: 0,
              streamId: sid,
              payload: encodeAmf0Values([n, txn, obj, ...args]),
            }),
          );
          const bytes = new Uint8Array(parts.reduce((k, x) => k + x.length, 0));
          let o = 0;
          for (const x of parts) {
            bytes.set(x, o);
            o += x.length;
          }
          const s = await feed(bytes, 512);
          expect(s.connection.isClosed).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('RtmpServer limits', () => {
  it('closes a connection that goes silent (idle timeout) and one that never publishes (publish timeout)', async () => {
    const server = new RtmpServer({ idleTimeoutMs: 500, publishTimeoutMs: 1000 });
    const port = await server.listen(0);
    const closes: Array<string | undefined> = [];
    server.on('session', (s) => s.on('close', (e) => closes.push(e?.message)));
    const silent = connect(port, '127.0.0.1');
    silent.on('error', () => undefined);
    // keeps sending one handshake byte at a time, slower than the publish timeout allows
    const chatty = connect(port, '127.0.0.1');
    chatty.on('error', () => undefined);
    const c1 = new ClientHandshake().start();
    let i = 0;
    const timer = setInterval(() => chatty.write(c1.subarray(i, ++i)), 50);
    await waitFor(() => closes.length === 2, 5000, 'both closed');
    clearInterval(timer);
    expect(closes.sort()).toEqual(['no publish within the publish timeout', 'nothing received for 500 ms']);
    silent.destroy();
    chatty.destroy();
    await server.close();
  });
});
