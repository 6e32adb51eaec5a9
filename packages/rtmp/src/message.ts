/** RTMP message types and the message shape shared by the chunk, command, client and server layers. */

/** RTMP message type ids (RTMP spec 5.4, 7.1). */
export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;

/** Chunk stream ids this package sends on (as nginx-rtmp and ffmpeg do). */
export const ChunkStreamId = {
  /** Protocol control messages (must be 2). */
  Control: 2,
  /** NetConnection commands. */
  Command: 3,
  /** Audio messages. */
  Audio: 4,
  /** Video messages. */
  Video: 6,
  /** Data messages (metadata) and NetStream commands. */
  Data: 5,
} as const;

/** One complete RTMP message. */
export interface RtmpMessage {
  /** Message type id (see MessageType). */
  typeId: number;
  /** Timestamp in ms as sent on the wire (32-bit, wraps past 2^32 on the wire; the writer accepts larger values). */
  timestamp: number;
  /** Message stream id (0 = NetConnection / control). */
  streamId: number;
  /** Message body. For received messages a view of the reader's buffer, owned by the receiver. */
  payload: Uint8Array;
}
