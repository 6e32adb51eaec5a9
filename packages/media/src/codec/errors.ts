/** Typed errors raised by the codec configuration and bitstream parsers. */

/** Base class: the bytes given are not a valid instance of `format`. */
export class MalformedCodecData extends Error {
  /** Which structure was being read (`'h264-sps'`, `'adts'`, `'avcC'`, ...). */
  readonly format: string;
  constructor(format: string, message: string) {
    super(`${format}: ${message}`);
    this.name = 'MalformedCodecData';
    this.format = format;
  }
}

/** A bit reader ran past the end of its data (truncated bitstream). */
export class BitstreamOverrun extends MalformedCodecData {
  constructor(format: string, message: string) {
    super(format, message);
    this.name = 'BitstreamOverrun';
  }
}
