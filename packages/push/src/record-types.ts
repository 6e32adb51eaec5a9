/**
 * The push record as the API returns it, and its state: the types a client of the REST API
 * and the event stream reads (the dashboard imports them from `@sluice/push/record-types`).
 * Type declarations only, importing nothing: a browser bundle or a tsconfig without Node's
 * types can use them. The record's fields: docs/API.md, "The push record".
 */

/** States of a push, exactly as the contract names them. */
export type PushState = 'ready' | 'connecting' | 'pushing' | 'stopping' | 'stopped' | 'error';

/**
 * The name of a push protocol, lower case (`rtmp`, `mpegts`, ...). Which names exist is
 * not fixed here: the server's protocol list registers one PushProtocolModule per name,
 * and the registry refuses names it has no sink factory for.
 */
export type PushProtocol = string;

/**
 * A push record as `:pushes`, `:startPush`, `:stopPush` and the `push.*` events carry it.
 * Times are rendered like "2021-02-04T01:42:40.160+0900"; byte counts are bytes on the wire.
 */
export interface PushRecord {
  id: string;
  vhost: string;
  app: string;
  stream: { name: string; tracks: number[]; variantNames?: string[] };
  protocol: PushProtocol;
  url: string;
  streamKey: string;
  state: PushState;
  /** Connection attempts that ended (each moved its counters into the totals). */
  sequence: number;
  /** Bytes of the current connection the kernel accepted. */
  sentBytes: number;
  /** Milliseconds the current connection has been pushing. */
  sentTime: number;
  totalsentBytes: number;
  totalsentTime: number;
  createdTime: string;
  startTime: string;
  finishTime: string;
  /** Present (true) for StreamMap pushes. */
  isConfig?: boolean;
  /** Why the last session failed, when it did. */
  lastError?: string;
  /** Milliseconds until the next connection attempt, while waiting to retry. */
  reconnectIn?: number;
  /** Frames dropped because the destination was slower than the stream. */
  droppedFrames?: number;
  /** Bits per second sent over the last ~5 s (bytes the kernel accepted), when the server measures it. */
  bitrate?: number;
  /** Jumps in the source's timestamps this push's sessions went through; each was absorbed (the output timeline stays continuous). */
  discontinuities?: number;
  /** Tracks of the source left out because the protocol cannot carry them (or they are not in the stream). */
  skippedTracks?: SkippedTrack[];
  /** Protocols that recover losses themselves (srt): data packets sent again, over all sessions. */
  retransmittedPackets?: number;
  /** Bytes of those retransmissions on the wire (header and payload), over all sessions; part of `totalsentBytes`. */
  retransmittedBytes?: number;
  /** Data packets the receiver reported lost (each report counts), over all sessions. */
  lostPackets?: number;
  /** Data packets given up unacknowledged because they were too late to be played, over all sessions. */
  droppedPackets?: number;
}

/** A source track a push leaves out, and why. `codec` is empty for a requested id missing from the stream. */
export interface SkippedTrack {
  id: number;
  codec: string;
  reason: string;
}
