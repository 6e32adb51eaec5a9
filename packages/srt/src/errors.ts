/** Typed errors of @sluice/srt. */
import { CodedError } from '@sluice/media';

/** Why a packet was refused by the codec. */
export type SrtPacketErrorCode =
  | 'truncated' // shorter than its header or than a field it announces
  | 'too-large' // longer than the largest SRT packet (1500 bytes) or a field over its cap
  | 'malformed' // a field holds a value the protocol does not allow
  | 'unsupported'; // a well-formed packet this implementation does not handle (e.g. handshake version)

/** A packet that does not parse: the code, what was wrong, and the offset in the packet. */
export class SrtPacketError extends CodedError<SrtPacketErrorCode> {
  constructor(
    code: SrtPacketErrorCode,
    message: string,
    readonly offset: number | undefined = undefined,
  ) {
    super('SrtPacketError', code, message);
  }
}

/** Why a connection could not be made or ended. */
export type SrtConnectionErrorCode =
  | 'url' // the srt:// URL or an option is invalid
  | 'timeout' // connect timeout, or the peer went silent past the idle timeout
  | 'rejected' // the peer rejected the handshake (see `rejectReason`)
  | 'protocol' // the peer broke the protocol (malformed control packet, bad handshake)
  | 'crypto' // encryption could not be agreed (wrong passphrase, missing passphrase)
  | 'socket' // the UDP socket failed
  | 'closed'; // the connection or listener was closed locally

/** A connection-level failure. `rejectReason` is the SRT reject code when the peer (or we) rejected. */
export class SrtConnectionError extends CodedError<SrtConnectionErrorCode> {
  constructor(
    code: SrtConnectionErrorCode,
    message: string,
    readonly rejectReason: number | undefined = undefined,
    options?: ErrorOptions,
  ) {
    super('SrtConnectionError', code, message, options);
  }
}
