/**
 * The server's observability in one place: the event bus fed by the push registry and
 * the stream hub, and what the REST API needs to serve `/v1/events`.
 */
import type { ApiHandlerOptions } from '@sluice/http';
import type { PushRegistry } from '@sluice/push';
import type { StreamHub } from '../hub/stream-hub.js';
import type { Logger } from '../log/logger.js';
import { EventBus } from './event-bus.js';
import {
  publishRefusedEvent,
  pushChangeEvent,
  pushRemovedEvent,
  streamEndedEvent,
  streamPublishedEvent,
  type PublishRefusedEvent,
} from './server-events.js';

/** What createObservability wires together. */
export interface ObservabilityContext {
  registry: PushRegistry;
  hub: StreamHub;
  log: Logger;
}

/** The server's event bus and the API options that expose it. */
export interface Observability {
  readonly bus: EventBus;
  /** Options for createApiHandler: the event stream. */
  readonly apiOptions: Pick<ApiHandlerOptions, 'events'>;
  /** Reports a refused publish (sent out as `publish.refused`). */
  emitEvent(event: PublishRefusedEvent): void;
  /** Stops timers and outgoing work. */
  close(): Promise<void>;
}

/** Creates the bus and subscribes it to the registry and the hub. */
export function createObservability({ registry, hub, log }: ObservabilityContext): Observability {
  const bus = new EventBus({
    onReaderDropped: ({ bufferedBytes, remote }) =>
      log.warn('event stream reader dropped: it reads too slowly', { remote, bufferedBytes }),
  });
  registry.on('change', (change) => bus.publish(pushChangeEvent(change)));
  registry.on('removed', (record) => bus.publish(pushRemovedEvent(record)));
  const stopListening = hub.listen({
    onStreamStart: (info) => bus.publish(streamPublishedEvent(info)),
    onStreamEnd: (info) => bus.publish(streamEndedEvent(info)),
  });
  return {
    bus,
    apiOptions: { events: bus },
    emitEvent: (event) => {
      if (event.type !== 'publishRefused') throw new TypeError(`unknown event type [${String(event.type)}]`);
      bus.publish(publishRefusedEvent(event));
    },
    close: () => {
      stopListening();
      return Promise.resolve();
    },
  };
}
