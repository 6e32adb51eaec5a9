/**
 * The events of a server, as `/v1/events` and the webhooks carry them: each is JSON with
 * `type` and `time` (the push records' time format), and the record or stream it is about.
 */
import { catalogueTrackFromTrackInfo, type CatalogueTrack } from '@sluice/http';
import { formatPushTime, type PushRecord, type PushState, type PushStateChange } from '@sluice/push';
import type { LiveStreamInfo } from '../hub/stream-hub.js';

/** Names of the events kept in the history (and sent to webhooks). */
export type SluiceEventType =
  'push.created' | 'push.state' | 'push.removed' | 'stream.published' | 'stream.ended' | 'publish.refused';

/** Every event type, in documentation order (webhook `<Events>` filters name these). */
export const SLUICE_EVENT_TYPES: readonly SluiceEventType[] = [
  'push.created',
  'push.state',
  'push.removed',
  'stream.published',
  'stream.ended',
  'publish.refused',
];

/** A stream as `stream.published` carries it (the discovery API's stream view). */
export interface PublishedStreamView {
  vhost: string;
  app: string;
  name: string;
  sourceType: string;
  tracks: CatalogueTrack[];
  createdTime: string;
}

/** One event. */
export type SluiceEvent =
  | { type: 'push.created'; time: string; push: PushRecord }
  | { type: 'push.state'; time: string; push: PushRecord; from: PushState | null; to: PushState; error?: string }
  | { type: 'push.removed'; time: string; push: PushRecord }
  | { type: 'stream.published'; time: string; stream: PublishedStreamView }
  | {
      type: 'stream.ended';
      time: string;
      stream: { vhost: string; app: string; name: string; bytesIn: number; packetsIn: number };
    }
  | ({ type: 'publish.refused'; time: string } & Omit<PublishRefusedEvent, 'type'>);

/**
 * A refused publish, as an ingest or the access-control check reports it through
 * `SluiceServer.emitEvent` (sent out as `publish.refused`). Unknown parts are ''.
 */
export interface PublishRefusedEvent {
  type: 'publishRefused';
  vhost: string;
  app: string;
  stream: string;
  /** `rtmp`, `rtmps`, `srt`, ... */
  protocol: string;
  /** Why, in the words given to the publisher or the log. */
  reason: string;
  /** `address:port` of the publisher. */
  remote: string;
}

const now = (): string => formatPushTime(Date.now());

/** `push.created` for a new record, `push.state` for every later change. */
export function pushChangeEvent(change: PushStateChange): SluiceEvent {
  if (change.from === null) return { type: 'push.created', time: now(), push: change.record };
  const event: SluiceEvent = { type: 'push.state', time: now(), push: change.record, from: change.from, to: change.to };
  if (change.error !== undefined) event.error = change.error.message;
  return event;
}

export function pushRemovedEvent(record: PushRecord): SluiceEvent {
  return { type: 'push.removed', time: now(), push: record };
}

export function streamPublishedEvent(info: LiveStreamInfo): SluiceEvent {
  const { vhost, app, name } = info.ref;
  return {
    type: 'stream.published',
    time: now(),
    stream: {
      vhost,
      app,
      name,
      sourceType: info.sourceType,
      tracks: info.tracks.map(catalogueTrackFromTrackInfo),
      createdTime: formatPushTime(info.publishedAt.getTime()),
    },
  };
}

export function streamEndedEvent(info: LiveStreamInfo): SluiceEvent {
  const { vhost, app, name } = info.ref;
  return {
    type: 'stream.ended',
    time: now(),
    stream: { vhost, app, name, bytesIn: info.bytesReceived, packetsIn: info.packetsIn },
  };
}

export function publishRefusedEvent(refused: PublishRefusedEvent): SluiceEvent {
  const { vhost, app, stream, protocol, reason, remote } = refused;
  return { type: 'publish.refused', time: now(), vhost, app, stream, protocol, reason, remote };
}
