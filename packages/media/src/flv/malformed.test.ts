/**
 * Malformed input: truncated tags, lengths past the end, absurd sizes, random bytes and
 * 10k random mutations of every FLV fixture give FlvParseError only — never another
 * exception, a hang, or a buffer larger than the input.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { listFixtures, readFixture } from '@sluice/test-support';
import { FlvParseError, FlvReader, FlvTagDemuxer } from '../index.js';
import { readFlvTags } from './test-support/flv-file.js';

/** Feeds `bytes` in pieces of `piece` bytes through reader + demuxer; returns the error, if any. */
function consume(bytes: Uint8Array, piece: number): unknown {
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  try {
    for (let at = 0; at < bytes.length; at += piece) {
      for (const tag of reader.push(bytes.subarray(at, at + piece))) {
        // no buffer larger than the input, ever
        if (tag.data.byteLength > bytes.length)
          throw new Error(`tag of ${tag.data.byteLength} bytes from ${bytes.length} bytes of input`);
        demuxer.demux(tag.type, tag.timestamp, tag.data);
      }
      if (reader.bufferedBytes > bytes.length) throw new Error('reader buffered more than the input');
    }
    reader.end();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectTypedOrNone(error: unknown): void {
  if (error !== undefined && !(error instanceof FlvParseError))
    throw error instanceof Error ? error : new Error(`not an Error: ${JSON.stringify(error)}`);
}

const fixtures = listFixtures('flv');

describe('FLV malformed input', () => {
  it.each(fixtures)('%s: every truncation around every tag boundary gives FlvParseError or a clean prefix', (name) => {
    const bytes = readFixture(name);
    const tags = readFlvTags(bytes);
    let errors = 0;
    for (const t of tags) {
      for (const cut of [
        t.position - 4,
        t.position - 1,
        t.position,
        t.position + 1,
        t.position + 10,
        t.position + 11,
        t.position + 12,
      ]) {
        if (cut <= 0 || cut >= bytes.length) continue;
        const e = consume(bytes.subarray(0, cut), 4096);
        expectTypedOrNone(e);
        if (e) errors++;
      }
    }
    expect(errors).toBeGreaterThan(tags.length); // truncations inside tags are reported
  });

  it.each(fixtures)('%s: a DataSize past the end of the input is reported as a truncated tag', (name) => {
    const bytes = readFixture(name).slice();
    const tags = readFlvTags(bytes);
    const last = tags.at(-1)!;
    bytes[last.position + 1] = 0x7f; // DataSize high byte: far past the end
    const e = consume(bytes, 65_536);
    expect(e).toBeInstanceOf(FlvParseError);
    expect((e as Error).message).toContain('truncated FLV tag');
  });

  it('absurd sizes are capped before anything is allocated', () => {
    const header = new Uint8Array([
      0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0, 9, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const reader = new FlvReader({ maxTagSize: 1 << 20 });
    expect(() => reader.push(header)).toThrow('exceeds the limit 1048576');
    const unlimited = new FlvReader();
    expect(unlimited.push(header)).toEqual([]);
    expect(unlimited.bufferedBytes).toBe(header.length - 9);
  });

  it('random bytes (with and without an FLV signature) give FlvParseError or nothing', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        (random, signed, piece) => {
          const bytes = signed ? new Uint8Array([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0, ...random]) : random;
          expectTypedOrNone(consume(bytes, piece));
        },
      ),
      { numRuns: 3000 },
    );
  });

  describe.each(fixtures)('%s', (name) => {
    it('10k random mutations give FlvParseError or tags, never a crash or hang', () => {
      const original = readFixture(name);
      const work = original.slice();
      // Bias half of the mutations onto tag headers, where they change the parse.
      const starts = readFlvTags(original).map((t) => t.position);
      const mutation = fc.record({
        edits: fc.array(
          fc.tuple(fc.boolean(), fc.nat(), fc.integer({ min: -4, max: 15 }), fc.integer({ min: 0, max: 255 })),
          { minLength: 1, maxLength: 6 },
        ),
        cut: fc.option(fc.nat(), { nil: undefined }),
        piece: fc.constantFrom(1 << 16, 4096, 1000, 7),
      });
      let failures = 0;
      fc.assert(
        fc.property(mutation, ({ edits, cut, piece }) => {
          const touched: number[] = [];
          for (const [onHeader, n, delta, value] of edits) {
            const at = onHeader ? (starts[n % starts.length] as number) + delta : n % work.length;
            if (at < 0 || at >= work.length) continue;
            touched.push(at);
            work[at] = value;
          }
          const input = cut === undefined ? work : work.subarray(0, cut % work.length);
          const e = consume(input, piece === 7 && input.length > 20_000 ? 997 : piece);
          for (const at of touched) work[at] = original[at] as number;
          expectTypedOrNone(e);
          if (e) failures++;
        }),
        { numRuns: 10_000 },
      );
      expect(failures).toBeGreaterThan(0);
    });
  });
});
