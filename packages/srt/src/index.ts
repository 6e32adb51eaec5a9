/** @sluice/srt: SRT caller and listener (HSv5, live mode) in pure TypeScript over node:dgram. */

/** Connects to an SRT listener: `await SrtCaller.connect({ host, port, streamId, latencyMs, passphrase })`. */
export { SrtCaller, type SrtCallerOptions } from './caller.js';
/** Accepts SRT callers on a UDP port; the stream ID is seen (and the caller accepted or rejected) first. */
export {
  SrtListener,
  type SrtListenerOptions,
  type SrtListenerEvents,
  type SrtConnectRequest,
  type SrtAcceptDecision,
} from './listener.js';
/** An established connection: `send(payload)`, the `message` and `close` events, `stats()`, `close()`. */
export { SrtConnection, type SrtConnectionEvents, type SrtCloseReason } from './connection.js';
/** Options common to callers and listeners (latency, passphrase, pbkeylen, bandwidth, timeouts). */
export { type SrtOptions } from './options.js';
/** The counters of a connection. */
export { type SrtStats } from './stats.js';
/** Typed errors: packets that do not parse, connections that fail (with the reject reason). */
export { SrtPacketError, SrtConnectionError, type SrtPacketErrorCode, type SrtConnectionErrorCode } from './errors.js';
/** The standard reject reasons and the application ranges (1000 + HTTP status, 2000+ private). */
export {
  SrtRejectReason,
  SrtRejectPredefined,
  SRT_REJC_PREDEFINED,
  SRT_REJC_USERDEFINED,
  rejectReasonName,
} from './reject.js';
/** `srt://host:port?latency=..&passphrase=..&pbkeylen=..&streamid=..` (ffmpeg's query names, microseconds). */
export { parseSrtUrl, checkSrtUrl, SRT_URL_PARAMETERS, type SrtUrl } from './url.js';
/** The stream a caller's stream ID names ({vhost}/{app}/{stream}, srt://host:port/{app}/{stream}, #!::r=..,m=..). */
export {
  parseSrtStreamId,
  SrtStreamIdError,
  MAX_STREAM_ID_LENGTH,
  type SrtStreamTarget,
  type SrtStreamMode,
  type SrtStreamIdErrorCode,
} from './stream-id.js';
/** Payload size of a live packet: 7 TS packets. */
export { LIVE_PAYLOAD_SIZE } from './packet.js';
