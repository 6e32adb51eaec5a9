/**
 * Protocol control messages (RTMP spec 5.4) and User Control events (7.1.7): payload
 * builders and parsers. All are sent on chunk stream 2, message stream 0.
 */
import { MessageType } from '../message.js';
import type { RtmpMessage } from '../message.js';
import { RtmpProtocolError } from '../errors.js';

/** Largest chunk size the spec allows (31 bits). */
export const MAX_CHUNK_SIZE = 0x7fffffff;

/** User Control event types (RTMP spec 7.1.7). */
export const UserControlEvent = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

function u32Message(typeId: number, value: number): RtmpMessage {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, value >>> 0);
  return { typeId, timestamp: 0, streamId: 0, payload };
}

/** Throws RangeError unless `size` is a chunk size the spec allows: an integer in [1, 2^31 - 1]. */
export function checkChunkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE)
    throw new RangeError(`chunk size must be an integer in [1, ${MAX_CHUNK_SIZE}], got ${size}`);
}

/** Set Chunk Size (type 1): bit 0 = 0, chunk size (31 bits). */
export function setChunkSizeMessage(size: number): RtmpMessage {
  checkChunkSize(size);
  return u32Message(MessageType.SetChunkSize, size);
}

/** Abort Message (type 2): the chunk stream id whose partial message to discard. */
export function abortMessage(chunkStreamId: number): RtmpMessage {
  return u32Message(MessageType.Abort, chunkStreamId);
}

/** Acknowledgement (type 3): sequence number = bytes received so far (mod 2^32). */
export function acknowledgementMessage(bytesReceived: number): RtmpMessage {
  return u32Message(MessageType.Acknowledgement, bytesReceived % 0x1_0000_0000);
}

/** Window Acknowledgement Size (type 5). */
export function windowAckSizeMessage(size: number): RtmpMessage {
  return u32Message(MessageType.WindowAckSize, size);
}

/** Set Peer Bandwidth (type 6): window size (4 bytes), limit type (0 hard, 1 soft, 2 dynamic). */
export function setPeerBandwidthMessage(size: number, limitType: 0 | 1 | 2): RtmpMessage {
  const payload = new Uint8Array(5);
  new DataView(payload.buffer).setUint32(0, size >>> 0);
  payload[4] = limitType;
  return { typeId: MessageType.SetPeerBandwidth, timestamp: 0, streamId: 0, payload };
}

/** User Control (type 4): event type (2 bytes) + event data (4 bytes: stream id or ping timestamp). */
export function userControlMessage(event: number, value: number): RtmpMessage {
  const payload = new Uint8Array(6);
  const view = new DataView(payload.buffer);
  view.setUint16(0, event);
  view.setUint32(2, value >>> 0);
  return { typeId: MessageType.UserControl, timestamp: 0, streamId: 0, payload };
}

/** Reads the 4-byte big-endian value of a type 1/2/3/5/6 message; throws RtmpProtocolError when too short. */
export function readControlValue(message: RtmpMessage): number {
  if (message.payload.length < 4)
    throw new RtmpProtocolError(
      `protocol control message type ${message.typeId} has ${message.payload.length} bytes, expected at least 4`,
    );
  const p = message.payload;
  return (p[0] ?? 0) * 0x1000000 + (((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0));
}

/** Parses a Set Chunk Size payload; 0 or a set top bit is a protocol error. */
export function parseSetChunkSize(message: RtmpMessage): number {
  const value = readControlValue(message);
  if (value === 0 || value > MAX_CHUNK_SIZE)
    throw new RtmpProtocolError(`invalid Set Chunk Size ${value}: must be in [1, ${MAX_CHUNK_SIZE}]`);
  return value;
}

/** A parsed User Control event. */
export interface UserControl {
  event: number;
  /** Stream id for stream events, timestamp for pings; 0 when absent. */
  value: number;
}

/** Parses a User Control payload; throws RtmpProtocolError when shorter than 2 bytes. */
export function parseUserControl(message: RtmpMessage): UserControl {
  const p = message.payload;
  if (p.length < 2) throw new RtmpProtocolError(`User Control message has ${p.length} bytes, expected at least 2`);
  const event = ((p[0] ?? 0) << 8) | (p[1] ?? 0);
  const value = p.length >= 6 ? (p[2] ?? 0) * 0x1000000 + (((p[3] ?? 0) << 16) | ((p[4] ?? 0) << 8) | (p[5] ?? 0)) : 0;
  return { event, value };
}
