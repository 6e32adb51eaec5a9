/**
 * The shapes the dashboard reads from the REST API and the event stream, as the
 * OpenAPI document (`/v1/openapi.json`) and the README's "Event stream" section describe them. Declared
 * here rather than imported: the dashboard is a browser bundle and depends on no
 * server package.
 */

/** States of a push (`PushRecord.state`). */
export type PushState = 'ready' | 'connecting' | 'pushing' | 'stopping' | 'stopped' | 'error';

/** A push record as `:pushes`, `:startPush`, `:stopPush` and the `push.*` events carry it. */
export interface PushRecord {
  id: string;
  vhost: string;
  app: string;
  stream: { name: string; tracks: number[]; variantNames?: string[] };
  protocol: string;
  url: string;
  streamKey: string;
  state: PushState;
  /** Sessions completed so far (each reconnect ends one). */
  sequence: number;
  /** Bytes on the wire in the current session. */
  sentBytes: number;
  /** Milliseconds the current session has been pushing. */
  sentTime: number;
  totalsentBytes: number;
  totalsentTime: number;
  createdTime: string;
  startTime: string;
  finishTime: string;
  isConfig?: boolean;
  lastError?: string;
  reconnectIn?: number;
  droppedFrames?: number;
  /** Current session's bit rate over the last few seconds (bit/s). */
  bitrate?: number;
  discontinuities?: number;
  skippedTracks?: { id: number; codec: string; reason: string }[];
  /** srt (protocols that recover losses): data packets sent again, over all sessions. */
  retransmittedPackets?: number;
  /** Bytes of those retransmissions on the wire; part of `totalsentBytes`. */
  retransmittedBytes?: number;
  /** srt: data packets the receiver reported lost (NAK), over all sessions. */
  lostPackets?: number;
  /** srt: data packets given up because they were too late to be played, over all sessions. */
  droppedPackets?: number;
}

/** One track of a live stream (`GET …/streams/{s}`). */
export interface StreamTrack {
  id: number;
  type: 'video' | 'audio' | 'data';
  codec: string;
  name?: string;
  width?: number;
  height?: number;
  framerate?: number;
  bitrate?: number;
  samplerate?: number;
  channels?: number;
}

/** A live stream (`GET …/streams/{s}`). */
export interface StreamDetail {
  name: string;
  sourceType?: string;
  createdTime?: string;
  tracks: StreamTrack[];
}

/** What `POST …:startPush` takes. */
export interface StartPushBody {
  id?: string;
  stream: { name: string; tracks?: number[] };
  protocol: string;
  url: string;
  streamKey?: string;
}

/** The response envelope of every JSON answer. */
export interface ApiEnvelope<T> {
  statusCode: number;
  message: string;
  response?: T;
}
