/** Errors of the FLV layer. */

/** Malformed FLV input (file header, tag header, tag body). `offset` is a byte position when known. */
export class FlvParseError extends Error {
  override readonly name = 'FlvParseError';
  /** Byte offset in the stream (reader) or in the tag body (body parsers) where the problem was found. */
  readonly offset: number | undefined;

  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} at offset ${offset}`);
    this.offset = offset;
  }
}
