/**
 * Mutation of real inputs: the byte-level operations of libFuzzer/AFL's havoc stage
 * (bit flips, interesting values, arithmetic on 8/16/32-bit fields, block insert,
 * delete, duplicate, splice with another seed), a few at a time, output length bounded.
 */
import { concatBytes } from '../../../packages/media/src/flv/test-support/flv-file.js';
import type { Prng } from './prng.js';

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40, 0x47, 0x03];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x00ffffff, 0x01000000, 0xffff, 0x10000];

/** Returns a mutated copy of `seed` (2^0..2^4 stacked operations), never longer than `maxLength`. */
export function mutate(seed: Uint8Array, corpus: readonly Uint8Array[], rng: Prng, maxLength: number): Uint8Array {
  let bytes: Uint8Array = seed.slice(0, maxLength);
  const rounds = 1 << rng.below(5);
  for (let r = 0; r < rounds; r++) bytes = mutateOnce(bytes, corpus, rng, maxLength);
  return bytes;
}

function mutateOnce(bytes: Uint8Array, corpus: readonly Uint8Array[], rng: Prng, maxLength: number): Uint8Array {
  const n = bytes.length;
  const at = rng.below(n);
  switch (rng.below(10)) {
    case 0: // flip one bit
      if (n > 0) bytes[at] = (bytes[at] ?? 0) ^ (1 << rng.below(8));
      return bytes;
    case 1: // an interesting byte
      if (n > 0) bytes[at] = INTERESTING_8[rng.below(INTERESTING_8.length)] ?? 0;
      return bytes;
    case 2: // an interesting 16/32-bit value, either byte order (length fields, timestamps)
      return setWord(bytes, at, INTERESTING_32[rng.below(INTERESTING_32.length)] ?? 0, rng);
    case 3: // small arithmetic on a byte
      if (n > 0) bytes[at] = ((bytes[at] ?? 0) + rng.below(71) - 35) & 0xff;
      return bytes;
    case 4: // random byte
      if (n > 0) bytes[at] = rng.below(256);
      return bytes;
    case 5: // delete a block
      return n > 1
        ? concatBytes([bytes.subarray(0, at), bytes.subarray(Math.min(n, at + 1 + rng.below(Math.min(64, n))))])
        : bytes;
    case 6: // insert random bytes
      return insert(bytes, at, randomBytes(1 + rng.below(32), rng), maxLength);
    case 7: // duplicate a block of itself
      return n > 0 ? insert(bytes, rng.below(n), bytes.slice(at, at + 1 + rng.below(256)), maxLength) : bytes;
    case 8: // splice: a piece of another seed
      return splice(bytes, corpus[rng.below(corpus.length)], rng, maxLength);
    default: // truncate
      return n > 0 ? bytes.slice(0, at) : bytes;
  }
}

function setWord(bytes: Uint8Array, at: number, value: number, rng: Prng): Uint8Array {
  const size = rng.oneIn(2) ? 2 : 4;
  if (at + size > bytes.length) return bytes;
  const big = rng.oneIn(2);
  for (let i = 0; i < size; i++) {
    const shift = 8 * (big ? size - 1 - i : i);
    bytes[at + i] = Math.floor(value / 2 ** shift) & 0xff;
  }
  return bytes;
}

function randomBytes(length: number, rng: Prng): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.below(256);
  return out;
}

function insert(bytes: Uint8Array, at: number, piece: Uint8Array, maxLength: number): Uint8Array {
  const out = concatBytes([bytes.subarray(0, at), piece, bytes.subarray(at)]);
  return out.length > maxLength ? out.slice(0, maxLength) : out;
}

function splice(bytes: Uint8Array, other: Uint8Array | undefined, rng: Prng, maxLength: number): Uint8Array {
  if (other === undefined || other.length === 0) return bytes;
  const from = rng.below(other.length);
  const piece = other.subarray(from, from + 1 + rng.below(Math.min(4096, other.length - from)));
  return insert(bytes, rng.below(bytes.length + 1), piece, maxLength);
}
