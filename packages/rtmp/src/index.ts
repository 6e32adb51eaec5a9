/**
 * @sluice/rtmp: RTMP(S) publishing client (RtmpPublisher) and ingest server
 * (RtmpServer / RtmpIngestSession), built from narrow layers: handshake, chunk
 * streams, AMF0 commands. Depends only on @sluice/media.
 */
export * from './errors.js';
export * from './message.js';
export * from './handshake/digest.js';
export * from './handshake/server-handshake.js';
export * from './handshake/client-handshake.js';
export * from './chunk/protocol-control.js';
export * from './chunk/chunk-encoding.js';
export * from './chunk/chunk-stream-reader.js';
export * from './chunk/chunk-stream-writer.js';
export * from './chunk/chunked-message.js';
export * from './command/command-message.js';
export * from './command/status.js';
export * from './command/enhanced-rtmp.js';
export * from './connection/rtmp-connection.js';
export * from './server/ingest-tracks.js';
export * from './server/rtmp-ingest-session.js';
export * from './server/rtmp-server.js';
export * from './client/rtmp-url.js';
export * from './client/track-support.js';
export * from './client/rtmp-publisher.js';
export * from './client/payload-chunk-cache.js';
