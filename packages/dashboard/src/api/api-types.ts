/**
 * The shapes the dashboard reads from the REST API and the event stream, as the
 * OpenAPI document (`/v1/openapi.json`) and the README's "Event stream" section describe them.
 * The push record and its state come from `@sluice/push/record-types` (type declarations
 * importing nothing, erased from the bundle: the dashboard runs no server code); the rest is
 * the HTTP layer's JSON, declared here.
 */
/** A push record as `:pushes`, `:startPush`, `:stopPush` and the `push.*` events carry it, and its state. */
export type { PushRecord, PushState } from '@sluice/push/record-types';

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
