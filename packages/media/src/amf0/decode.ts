/**
 * AMF0 decoder. Never allocates more than the input holds: every length and count is
 * checked against the bytes remaining before anything is read or built, and nesting
 * is capped.
 */
import {
  AMF0_DEFAULT_MAX_DEPTH,
  Amf0DecodeError,
  Amf0EcmaArray,
  Amf0Marker,
  createAmf0Object,
  type Amf0Object,
  type Amf0Value,
} from './types.js';

/** Options of the AMF0 decoder. */
export interface Amf0DecodeOptions {
  /** Maximum nesting of objects, ECMA arrays and strict arrays (default 64). */
  maxDepth?: number;
}

/** A decoded value and the offset just past it. */
export interface Amf0Decoded {
  value: Amf0Value;
  /** Offset of the first byte after the value. */
  offset: number;
}

const utf8 = new TextDecoder('utf-8');

/** Cursor over one input buffer. */
class Amf0Cursor {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    offset: number,
    readonly maxDepth: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = offset;
  }

  need(n: number, what: string): void {
    if (this.bytes.length - this.pos < n) {
      throw new Amf0DecodeError(`truncated ${what}: need ${n} bytes, ${this.bytes.length - this.pos} left`, this.pos);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++] as number;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  utf8(length: number, what: string): string {
    this.need(length, what);
    const s = length === 0 ? '' : utf8.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return s;
  }
}

function readValue(c: Amf0Cursor, depth: number): Amf0Value {
  const at = c.pos;
  const marker = c.u8('type marker');
  switch (marker) {
    case Amf0Marker.Number:
      return c.f64('number');
    case Amf0Marker.Boolean:
      return c.u8('boolean') !== 0;
    case Amf0Marker.String:
      return c.utf8(c.u16('string length'), 'string');
    case Amf0Marker.LongString:
    case Amf0Marker.XmlDocument:
      return c.utf8(c.u32('long string length'), 'long string');
    case Amf0Marker.Null:
      return null;
    case Amf0Marker.Undefined:
    case Amf0Marker.Unsupported:
      return undefined;
    case Amf0Marker.Object:
      return readProperties(c, depth + 1, at);
    case Amf0Marker.TypedObject:
      // class-name (UTF-8), then the properties of an anonymous object; the class name is dropped.
      c.utf8(c.u16('class name length'), 'class name');
      return readProperties(c, depth + 1, at);
    case Amf0Marker.EcmaArray: {
      // associative-count (U32) is only a hint: encoders get it wrong; the object-end marker terminates.
      c.u32('ECMA array count');
      const ecma = new Amf0EcmaArray();
      readProperties(c, depth + 1, at, ecma.properties, true);
      return ecma;
    }
    case Amf0Marker.StrictArray: {
      if (depth + 1 > c.maxDepth) throw new Amf0DecodeError(`nesting deeper than ${c.maxDepth}`, at);
      const count = c.u32('strict array count');
      // every element takes at least one byte: a count beyond the input is a lie.
      if (count > c.bytes.length - c.pos) {
        throw new Amf0DecodeError(`strict array count ${count} exceeds the ${c.bytes.length - c.pos} bytes left`, at);
      }
      const out: Amf0Value[] = [];
      for (let i = 0; i < count; i++) out.push(readValue(c, depth + 1));
      return out;
    }
    case Amf0Marker.Date: {
      const ms = c.f64('date');
      c.u16('date time-zone'); // time-zone S16: reserved, should be 0x0000
      return new Date(ms);
    }
    case Amf0Marker.ObjectEnd:
      throw new Amf0DecodeError('unexpected object-end marker', at);
    case Amf0Marker.Reference:
      throw new Amf0DecodeError('unsupported AMF0 reference (0x07)', at);
    case Amf0Marker.MovieClip:
    case Amf0Marker.RecordSet:
      throw new Amf0DecodeError(`reserved AMF0 marker 0x${marker.toString(16).padStart(2, '0')}`, at);
    case Amf0Marker.AvmPlus:
      throw new Amf0DecodeError('unsupported AMF0 avmplus-object (AMF3) marker 0x11', at);
    default:
      throw new Amf0DecodeError(`unknown AMF0 marker 0x${marker.toString(16).padStart(2, '0')}`, at);
  }
}

/** Reads `(UTF-8 key, value)*` up to the object-end sequence 0x00 0x00 0x09. */
function readProperties(
  c: Amf0Cursor,
  depth: number,
  at: number,
  into: Amf0Object = createAmf0Object(),
  endMayBeMissing = false,
): Amf0Object {
  if (depth > c.maxDepth) throw new Amf0DecodeError(`nesting deeper than ${c.maxDepth}`, at);
  while (true) {
    // Some encoders end an ECMA array with the input instead of the object-end marker.
    if (endMayBeMissing && c.pos === c.bytes.length) return into;
    const key = c.utf8(c.u16('property name length'), 'property name');
    if (key === '' && c.bytes[c.pos] === Amf0Marker.ObjectEnd) {
      c.pos++;
      return into;
    }
    if (key === '') c.need(1, 'property value');
    const value = readValue(c, depth);
    // null-prototype target: `__proto__` is an ordinary own key here, no pollution.
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

function depthOption(options: Amf0DecodeOptions | undefined): number {
  const maxDepth = options?.maxDepth ?? AMF0_DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1)
    throw new RangeError(`maxDepth must be a positive integer, got ${maxDepth}`);
  return maxDepth;
}

/**
 * Decodes one AMF0 value starting at `offset`; returns it with the offset just past it.
 * Throws `Amf0DecodeError` on malformed input.
 */
export function decodeAmf0At(bytes: Uint8Array, offset = 0, options?: Amf0DecodeOptions): Amf0Decoded {
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new RangeError(`offset must be an integer in [0, ${bytes.length}], got ${offset}`);
  }
  const c = new Amf0Cursor(bytes, offset, depthOption(options));
  const value = readValue(c, 0);
  return { value, offset: c.pos };
}

/** Decodes the first AMF0 value of `bytes` (bytes after it are ignored). Throws `Amf0DecodeError`. */
export function decodeAmf0(bytes: Uint8Array, options?: Amf0DecodeOptions): Amf0Value {
  return decodeAmf0At(bytes, 0, options).value;
}

/**
 * Decodes a sequence of AMF0 values filling all of `bytes` (an RTMP command message,
 * an FLV script tag body). Throws `Amf0DecodeError` on malformed input.
 */
export function decodeAmf0Values(bytes: Uint8Array, options?: Amf0DecodeOptions): Amf0Value[] {
  const c = new Amf0Cursor(bytes, 0, depthOption(options));
  const out: Amf0Value[] = [];
  while (c.pos < bytes.length) out.push(readValue(c, 0));
  return out;
}
