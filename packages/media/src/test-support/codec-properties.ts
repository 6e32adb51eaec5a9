import fc from 'fast-check';
import { expect } from 'vitest';
import { MalformedCodecData } from '../codec/errors.js';

/**
 * Property: a decoder configuration record cut short and with up to four bytes changed either
 * parses, and then building and parsing it again gives the same record, or throws
 * MalformedCodecData (nothing else).
 */
export function expectMutatedRecordsParseOrThrow<T>(
  record: Uint8Array,
  maxCut: number,
  parse: (data: Uint8Array) => T,
  build: (config: T) => Uint8Array,
): void {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.nat(maxCut),
      (muts, cut) => {
        const d = record.slice(0, record.length - (cut % record.length));
        for (const [i, v] of muts) d[i % d.length] = v;
        try {
          const c = parse(d);
          expect(parse(build(c))).toEqual(c);
        } catch (e) {
          expect(e).toBeInstanceOf(MalformedCodecData);
        }
      },
    ),
    { numRuns: 5000 },
  );
}

/**
 * Property: an SPS cut short (never below its NAL unit header) and with up to six bytes after the
 * header changed either parses, and `check` holds for what it gives, or throws MalformedCodecData.
 */
export function expectMutatedSpsParseOrThrow<T>(
  sps: Uint8Array,
  headerBytes: number,
  maxCut: number,
  parse: (data: Uint8Array) => T,
  check: (parsed: T) => void,
): void {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.nat(maxCut),
      (muts, cut) => {
        const d = sps.slice(0, Math.max(headerBytes, sps.length - (cut % sps.length)));
        for (const [i, v] of muts) if (i % d.length >= headerBytes) d[i % d.length] = v;
        try {
          check(parse(d));
        } catch (e) {
          expect(e).toBeInstanceOf(MalformedCodecData);
        }
      },
    ),
    { numRuns: 5000 },
  );
}
