/** AMF0 encoder: JavaScript values → AMF0 bytes (spec sections 2.2–2.17). */
import { AMF0_DEFAULT_MAX_DEPTH, Amf0EcmaArray, Amf0EncodeError, Amf0Marker, type Amf0Value } from './types.js';

const utf8 = new TextEncoder();

/** Growable output buffer. */
class Amf0Output {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  length = 0;

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.bytes[this.length++] = v;
  }

  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
  }

  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }

  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Writes a UTF-8 string with a U16 length (object keys, short strings). */
function writeShortUtf8(out: Amf0Output, s: string, what: string): void {
  const b = utf8.encode(s);
  if (b.length > 0xffff) throw new Amf0EncodeError(`${what} is ${b.length} UTF-8 bytes, more than 65535`);
  out.u16(b.length);
  out.raw(b);
}

function writeProperties(out: Amf0Output, record: object, depth: number, seen: Set<object>): void {
  for (const key of Object.keys(record)) {
    if (key === '') throw new Amf0EncodeError('AMF0 property names must not be empty (the empty name ends an object)');
    writeShortUtf8(out, key, `property name "${key.slice(0, 32)}"`);
    writeValue(out, (record as Record<string, Amf0Value>)[key], depth, seen);
  }
  // object-end: UTF-8-empty (0x0000) + object-end-marker (0x09)
  out.u16(0);
  out.u8(Amf0Marker.ObjectEnd);
}

function enter(value: object, depth: number, seen: Set<object>): void {
  if (depth > AMF0_DEFAULT_MAX_DEPTH) throw new Amf0EncodeError(`nesting deeper than ${AMF0_DEFAULT_MAX_DEPTH}`);
  if (seen.has(value))
    throw new Amf0EncodeError('cyclic value cannot be written as AMF0 (references are not supported)');
  seen.add(value);
}

function writeValue(out: Amf0Output, value: Amf0Value, depth: number, seen: Set<object>): void {
  if (typeof value === 'number') {
    out.u8(Amf0Marker.Number);
    out.f64(value);
  } else if (typeof value === 'boolean') {
    out.u8(Amf0Marker.Boolean);
    out.u8(value ? 1 : 0);
  } else if (typeof value === 'string') {
    const b = utf8.encode(value);
    if (b.length <= 0xffff) {
      out.u8(Amf0Marker.String);
      out.u16(b.length);
    } else {
      out.u8(Amf0Marker.LongString);
      out.u32(b.length);
    }
    out.raw(b);
  } else if (value === null) {
    out.u8(Amf0Marker.Null);
  } else if (value === undefined) {
    out.u8(Amf0Marker.Undefined);
  } else if (value instanceof Date) {
    out.u8(Amf0Marker.Date);
    out.f64(value.getTime());
    out.u16(0); // time-zone: reserved, 0x0000
  } else if (Array.isArray(value)) {
    enter(value, depth + 1, seen);
    out.u8(Amf0Marker.StrictArray);
    out.u32(value.length);
    for (const item of value) writeValue(out, item, depth + 1, seen);
    seen.delete(value);
  } else if (value instanceof Amf0EcmaArray) {
    enter(value, depth + 1, seen);
    out.u8(Amf0Marker.EcmaArray);
    out.u32(Object.keys(value.properties).length); // associative-count
    writeProperties(out, value.properties, depth + 1, seen);
    seen.delete(value);
  } else if (typeof value === 'object') {
    enter(value, depth + 1, seen);
    out.u8(Amf0Marker.Object);
    writeProperties(out, value, depth + 1, seen);
    seen.delete(value);
  } else {
    throw new Amf0EncodeError(`cannot write a ${typeof value} as AMF0`);
  }
}

/** Encodes one value as AMF0. Throws `Amf0EncodeError` for values AMF0 cannot carry. */
export function encodeAmf0(value: Amf0Value): Uint8Array {
  const out = new Amf0Output();
  writeValue(out, value, 0, new Set());
  return out.result();
}

/** Encodes a sequence of values back to back (an RTMP command, an FLV script tag body). */
export function encodeAmf0Values(values: readonly Amf0Value[]): Uint8Array {
  const out = new Amf0Output();
  for (const value of values) writeValue(out, value, 0, new Set());
  return out.result();
}
