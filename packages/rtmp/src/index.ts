/**
 * @sluice/rtmp: RTMP(S) publishing client (RtmpPublisher) and ingest server
 * (RtmpServer / RtmpIngestSession), built from narrow layers: handshake, chunk
 * streams, AMF0 commands. Depends only on @sluice/media.
 */

/** The ingest server: `listen`, `accept(socket)` (RTMPS), `authorize`/`release` per publish, the `publish` event. */
export { RtmpServer, type RtmpServerOptions, type RtmpServerEvents } from './server/rtmp-server.js';
/** One publishing client: `tracks`, `packet`, `metadata`, `unpublish`, `close` events in the @sluice/media model. */
export {
  RtmpIngestSession,
  type RtmpIngestSessionOptions,
  type RtmpIngestSessionEvents,
  type IngestSessionHooks,
  type PublishInfo,
  type PublishDecision,
} from './server/rtmp-ingest-session.js';
/** FLV tags in, tracks (announced once every promised sequence header is there) and packets out. */
export { IngestTracks, type IngestTrackSink } from './server/ingest-tracks.js';
/** The publishing client, in the shape of @sluice/push's PushSink: `open(tracks)`, `send`, `onDrain`, `close`. */
export { RtmpPublisher, type RtmpPublisherOptions } from './client/rtmp-publisher.js';
/** Chunks a payload once for every publisher of one chunk size (the fan-out cache). */
export { PayloadChunkCache } from './client/payload-chunk-cache.js';
/** `rtmp[s]://host[:port]/app[/key]` plus a stream key: parsed, or checked with the reason it is refused. */
export { parseRtmpUrl, checkRtmpUrl, type RtmpEndpoint } from './client/rtmp-url.js';
/** Why a track cannot be sent over RTMP (`undefined` when it can). */
export { rtmpCannotCarry } from './client/track-support.js';
/** The layers, for tools that speak RTMP themselves: handshakes, chunk streams, connections. */
export { ServerHandshake } from './handshake/server-handshake.js';
export { ClientHandshake } from './handshake/client-handshake.js';
export { ChunkStreamReader, type ChunkStreamReaderOptions } from './chunk/chunk-stream-reader.js';
export { ChunkStreamWriter, DEFAULT_OUT_CHUNK_SIZE } from './chunk/chunk-stream-writer.js';
export type { ChunkedMessage, PreviousChunkMessage } from './chunk/chunked-message.js';
export {
  RtmpConnection,
  type RtmpConnectionHandlers,
  type RtmpConnectionOptions,
} from './connection/rtmp-connection.js';
/** Messages, AMF0 commands and onStatus objects: the type ids, chunk stream ids and status codes. */
export { MessageType, ChunkStreamId, type RtmpMessage } from './message.js';
export { encodeCommand, decodeCommand, decodeDataMessage, type RtmpCommand } from './command/command-message.js';
export { StatusCode, readStatus, type StatusInfo } from './command/status.js';
/** Typed errors: a bad peer, a failed connect, a timeout (connect or send), a refused publish, a codec it cannot take. */
export {
  RtmpProtocolError,
  RtmpConnectError,
  RtmpTimeoutError,
  RtmpPublishRejected,
  RtmpUnsupportedCodec,
  RtmpConnectionClosed,
} from './errors.js';
