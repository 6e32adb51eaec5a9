import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Amf0DecodeError,
  Amf0EcmaArray,
  Amf0EncodeError,
  amf0Properties,
  createAmf0Object,
  decodeAmf0,
  decodeAmf0Values,
  encodeAmf0,
  encodeAmf0Values,
  type Amf0Value,
} from '../index.js';
import { decodeAmf0At } from './decode.js';
import { hex } from '../test-support/hex.js';

describe('AMF0 encode', () => {
  it('writes each type with its marker', () => {
    expect(encodeAmf0(1)).toEqual(hex('00 3ff0000000000000'));
    expect(encodeAmf0(true)).toEqual(hex('01 01'));
    expect(encodeAmf0('ab')).toEqual(hex('02 0002 6162'));
    expect(encodeAmf0(null)).toEqual(hex('05'));
    expect(encodeAmf0(undefined)).toEqual(hex('06'));
    expect(encodeAmf0({ a: 1 })).toEqual(hex('03 0001 61 00 3ff0000000000000 000009'));
    expect(encodeAmf0(new Amf0EcmaArray({ a: false }))).toEqual(hex('08 00000001 0001 61 01 00 000009'));
    expect(encodeAmf0([null, 'x'])).toEqual(hex('0a 00000002 05 02 0001 78'));
    expect(encodeAmf0(new Date(0))).toEqual(hex('0b 0000000000000000 0000'));
  });
  it('writes strings above 65535 UTF-8 bytes as long strings', () => {
    const s = 'é'.repeat(40_000); // 80000 bytes
    const b = encodeAmf0(s);
    expect(b[0]).toBe(0x0c);
    expect(new DataView(b.buffer).getUint32(1)).toBe(80_000);
    expect(decodeAmf0(b)).toBe(s);
  });
  it('writes an RTMP connect command', () => {
    const bytes = encodeAmf0Values(['connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }]);
    expect(decodeAmf0Values(bytes)).toEqual(['connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }]);
  });
  it('rejects values AMF0 cannot carry, cycles and too deep nesting', () => {
    expect(() => encodeAmf0((() => 1) as unknown as Amf0Value)).toThrow(Amf0EncodeError);
    expect(() => encodeAmf0(10n as unknown as Amf0Value)).toThrow('cannot write a bigint as AMF0');
    const cyclic: Record<string, Amf0Value> = {};
    cyclic.self = cyclic;
    expect(() => encodeAmf0(cyclic)).toThrow('cyclic value');
    let deep: Amf0Value = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => encodeAmf0(deep)).toThrow('nesting deeper than 64');
    expect(() => encodeAmf0({ ['k'.repeat(70_000)]: 1 })).toThrow(Amf0EncodeError);
    expect(() => encodeAmf0({ '': 1 })).toThrow('must not be empty');
  });
  it('writes the same object twice when it is shared but not cyclic', () => {
    const shared = { a: 1 };
    expect(decodeAmf0(encodeAmf0([shared, shared]))).toEqual([{ a: 1 }, { a: 1 }]);
  });
});

describe('AMF0 decode', () => {
  it('reads every supported type and round trips them', () => {
    const values: Amf0Value[] = [
      0,
      -1.5,
      Number.MAX_SAFE_INTEGER,
      true,
      false,
      '',
      'héllo',
      null,
      undefined,
      { a: 1, b: 'x', c: { d: [1, 2, { e: null }] } },
      new Amf0EcmaArray({ duration: 3, width: 320, encoder: 'Lavf' }),
      [],
      new Date(1_700_000_000_000),
    ];
    const decoded = decodeAmf0Values(encodeAmf0Values(values));
    expect(decoded).toEqual(values);
    expect(decoded[10]).toBeInstanceOf(Amf0EcmaArray);
  });
  it('decodes objects with a null prototype so __proto__ cannot pollute', () => {
    // { "__proto__": { "polluted": true } }
    const bytes = hex('03 0009 5f5f70726f746f5f5f 03 0008 706f6c6c75746564 0101 000009 000009');
    const obj = decodeAmf0(bytes) as Record<string, Amf0Value>;
    expect(Object.getPrototypeOf(obj)).toBeNull();
    expect(Object.keys(obj)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });
  it('returns the next offset with decodeAmf0At', () => {
    const bytes = encodeAmf0Values(['a', 2]);
    const first = decodeAmf0At(bytes);
    expect(first).toEqual({ value: 'a', offset: 4 });
    expect(decodeAmf0At(bytes, first.offset)).toEqual({ value: 2, offset: 13 });
    expect(() => decodeAmf0At(bytes, 14)).toThrow(RangeError);
  });
  it('reads typed objects as anonymous objects, XML documents as strings, unsupported as undefined', () => {
    expect(decodeAmf0(hex('10 0001 43 0001 61 05 000009'))).toEqual({ a: null });
    expect(decodeAmf0(hex('0f 00000001 78'))).toBe('x');
    expect(decodeAmf0(hex('0d'))).toBeUndefined();
  });
  it('accepts an ECMA array whose object-end is missing at the end of input, and ignores its count', () => {
    const v = decodeAmf0(hex('08 000000ff 0001 61 01 01'));
    expect(amf0Properties(v)).toEqual({ a: true });
  });
  it('gives typed errors with offsets', () => {
    const cases: Array<[string, string, number]> = [
      ['00 0000', 'truncated number', 1],
      ['02 0005 6162', 'truncated string', 3],
      ['0c ffffffff 00', 'truncated long string', 5],
      ['0a ffffffff', 'strict array count 4294967295 exceeds', 0],
      ['03 0001 61', 'truncated type marker', 4],
      ['03 0000 05', 'truncated property name length', 4],
      ['07 0001', 'unsupported AMF0 reference', 0],
      ['11', 'avmplus', 0],
      ['04', 'reserved AMF0 marker 0x04', 0],
      ['ee', 'unknown AMF0 marker 0xee', 0],
      ['09', 'unexpected object-end marker', 0],
      ['05 09', 'unexpected object-end marker', 1],
    ];
    for (const [input, message, offset] of cases) {
      let error: unknown;
      try {
        decodeAmf0Values(hex(input));
      } catch (e) {
        error = e;
      }
      expect(error, input).toBeInstanceOf(Amf0DecodeError);
      expect((error as Error).message, input).toContain(message);
      expect((error as Amf0DecodeError).offset, input).toBe(offset);
    }
    expect(decodeAmf0Values(new Uint8Array(0))).toEqual([]);
    expect(() => decodeAmf0(new Uint8Array(0))).toThrow('truncated type marker: need 1 bytes, 0 left at offset 0');
  });
  it('caps nesting depth (objects, ECMA arrays, strict arrays)', () => {
    const deepObjects = new Uint8Array(10_000 * 4 + 1);
    for (let i = 0; i < 10_000; i++) deepObjects.set([0x03, 0x00, 0x01, 0x61], i * 4);
    expect(() => decodeAmf0(deepObjects)).toThrow(/nesting deeper than 64/);
    const deepArrays = new Uint8Array(100_000 * 5).fill(0);
    for (let i = 0; i < 100_000; i++) deepArrays.set([0x0a, 0, 0, 0, 1], i * 5);
    expect(() => decodeAmf0(deepArrays)).toThrow(/nesting deeper than 64/);
    let ok: Amf0Value = 1;
    for (let i = 0; i < 64; i++) ok = [ok];
    expect(decodeAmf0(encodeAmf0(ok))).toEqual(ok);
    expect(() => decodeAmf0(encodeAmf0(ok), { maxDepth: 63 })).toThrow(Amf0DecodeError);
  });
  it('creates null-prototype objects with createAmf0Object', () => {
    expect(Object.getPrototypeOf(createAmf0Object())).toBeNull();
    expect(amf0Properties(5)).toBeUndefined();
    expect(amf0Properties([1])).toBeUndefined();
  });
});

const amf0Arbitrary: fc.Arbitrary<Amf0Value> = fc.letrec<{ value: Amf0Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double(),
    fc.boolean(),
    fc.string({ unit: 'grapheme' }),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ minLength: 1 }), tie('value'), { maxKeys: 5, noNullPrototype: true }),
    fc
      .dictionary(fc.string({ minLength: 1 }), tie('value'), { maxKeys: 5, noNullPrototype: true })
      .map((d) => new Amf0EcmaArray(d)),
  ),
})).value;

describe('AMF0 properties', () => {
  it('round trips arbitrary values', () => {
    fc.assert(
      fc.property(amf0Arbitrary, (v) => {
        expect(decodeAmf0(encodeAmf0(v))).toEqual(v);
      }),
      { numRuns: 500 },
    );
  });
  it('random bytes give a value or an Amf0DecodeError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeAmf0Values(bytes);
        } catch (e) {
          if (!(e instanceof Amf0DecodeError)) throw e;
        }
      }),
      { numRuns: 5000 },
    );
  });
  it('mutated encodings give a value or an Amf0DecodeError', () => {
    fc.assert(
      fc.property(
        amf0Arbitrary,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (v, muts) => {
          const bytes = encodeAmf0(v);
          for (const [at, b] of muts) bytes[at % bytes.length] = b;
          try {
            decodeAmf0Values(bytes);
          } catch (e) {
            if (!(e instanceof Amf0DecodeError)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
