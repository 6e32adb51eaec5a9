/** Typed errors of @sluice/mpegts. */
import { CodedError } from '@sluice/media';

/** A muxer was given something it cannot write (unknown track, unsupported codec, bad timestamp). */
export class TsMuxError extends Error {
  override readonly name = 'TsMuxError';
}

/** Why the demuxer rejected or flagged its input. */
export type TsDemuxErrorCode =
  | 'sync' // lost packet sync (no 0x47 every 188 bytes)
  | 'transport-error' // transport_error_indicator set
  | 'continuity' // continuity_counter gap
  | 'crc' // PSI section CRC_32 mismatch
  | 'psi' // malformed PAT/PMT section
  | 'pes' // malformed PES header or length
  | 'too-large' // a PES or section exceeds the configured cap
  | 'es'; // malformed elementary stream payload (ADTS, Opus control header...)

/** Bad MPEG-TS input: carries the code, the PID (when known) and the byte offset in the stream. */
export class TsDemuxError extends CodedError<TsDemuxErrorCode> {
  constructor(
    code: TsDemuxErrorCode,
    message: string,
    readonly pid: number | undefined = undefined,
    readonly offset: number | undefined = undefined,
  ) {
    super('TsDemuxError', code, message);
  }
}

/** What went wrong in a sender. */
export type TsSenderErrorCode = 'url' | 'connect' | 'timeout' | 'send' | 'unreachable' | 'closed';

/** A UDP/TCP sender failure: connect refused, send failed, timed out, destination unreachable. */
export class TsSenderError extends CodedError<TsSenderErrorCode> {
  constructor(code: TsSenderErrorCode, message: string, options?: ErrorOptions) {
    super('TsSenderError', code, message, options);
  }
}
