/**
 * AMF0 (Action Message Format 0) value model, markers and errors.
 * Spec: Adobe "Action Message Format -- AMF 0", sections 2.1–2.18.
 */

/** AMF0 type markers (spec section 2.1). */
export const Amf0Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  RecordSet: 0x0e,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
  AvmPlus: 0x11,
} as const;

/** An AMF0 anonymous object as decoded: a null-prototype record (no `__proto__` pollution). */
export interface Amf0Object {
  [key: string]: Amf0Value;
}

/** Any value AMF0 can carry, in its JavaScript form. */
export type Amf0Value = number | boolean | string | null | undefined | Date | Amf0Object | Amf0EcmaArray | Amf0Value[];

/**
 * An AMF0 ECMA array (associative array, marker 0x08), kept distinct from an anonymous
 * object so that decode → encode round trips preserve the marker (FLV `onMetaData`
 * is usually an ECMA array).
 */
export class Amf0EcmaArray {
  /** The array's properties, in a null-prototype record. */
  readonly properties: Amf0Object;

  /** Wraps the given properties (copied into a null-prototype record). */
  constructor(properties: Readonly<Record<string, Amf0Value>> = {}) {
    this.properties = createAmf0Object();
    for (const key of Object.keys(properties)) {
      this.properties[key] = properties[key];
    }
  }
}

/** Creates an empty null-prototype object suitable as an AMF0 anonymous object. */
export function createAmf0Object(): Amf0Object {
  return Object.create(null) as Amf0Object;
}

/**
 * The properties of an AMF0 object or ECMA array (both are key/value maps on the wire);
 * `undefined` for any other value. Handy for `onMetaData`, which encoders send as either.
 */
export function amf0Properties(value: Amf0Value): Amf0Object | undefined {
  if (value instanceof Amf0EcmaArray) return value.properties;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return undefined;
  return value;
}

/** Malformed or unsupported AMF0 input; `offset` is where in the input it was found. */
export class Amf0DecodeError extends Error {
  override readonly name = 'Amf0DecodeError';
  /** Byte offset in the decoded input where the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.offset = offset;
  }
}

/** A JavaScript value that cannot be written as AMF0 (wrong type, cycle, too deep, key too long). */
export class Amf0EncodeError extends Error {
  override readonly name = 'Amf0EncodeError';
}

/** Default cap on nesting of objects/arrays, for decoding and encoding. */
export const AMF0_DEFAULT_MAX_DEPTH = 64;
