/**
 * StreamMap automatic pushes: when a stream goes live in an application whose
 * `<Push><StreamMap>` is enabled, every matching entry becomes a push (isConfig: true).
 * The push then lives like any other: it waits in `ready` when the stream ends and
 * resumes when it is published again.
 */
import { DuplicatePushId, type PushService, type StartPushInput } from '@sluice/push';
import { expandStreamMacros, type StreamMapEntry } from '../config/stream-map.js';
import type { LiveStreamInfo, StreamHub } from '../hub/stream-hub.js';
import type { VirtualHostTable } from '../hub/virtual-host-table.js';
import type { Logger } from '../log/logger.js';

/** The id of the push an entry makes for a stream: stable, so a restart finds it again. */
export function streamMapPushId(entry: StreamMapEntry, vhost: string, app: string, stream: string): string {
  return `streammap${entry.index}:${vhost}/${app}/${stream}`;
}

/** The startPush input an entry makes for a stream (macros expanded). */
export function streamMapPushInput(entry: StreamMapEntry, vhost: string, app: string, stream: string): StartPushInput {
  const macros = { application: app, stream, sourceStream: stream };
  return {
    id: streamMapPushId(entry, vhost, app, stream),
    vhost,
    app,
    stream: { name: stream, variantNames: entry.variantNames.length > 0 ? entry.variantNames : undefined },
    protocol: entry.protocol,
    url: expandStreamMacros(entry.url, macros),
    streamKey: expandStreamMacros(entry.streamKey, macros),
    isConfig: true,
  };
}

/** Starts StreamMap pushes as streams go live; returns the function that stops listening. */
export function startStreamMapPusher(
  hub: StreamHub,
  vhosts: VirtualHostTable,
  push: PushService,
  log: Logger,
): () => void {
  return hub.listen({
    onStreamStart: (info: LiveStreamInfo) => {
      const { vhost, app, name } = info.ref;
      const entries = vhosts.application(vhost, app)?.push?.streamMap?.entries ?? [];
      for (const entry of entries) {
        if (!entry.matches(name)) continue;
        const input = streamMapPushInput(entry, vhost, app, name);
        try {
          push.startPush(input);
          log.info('StreamMap push created', {
            vhost,
            app,
            stream: name,
            pushId: input.id,
            protocol: input.protocol,
            url: input.url,
          });
        } catch (e) {
          if (e instanceof DuplicatePushId) continue; // exists already: it resumes by itself
          log.warn(`StreamMap push refused: ${(e as Error).message}`, {
            vhost,
            app,
            stream: name,
            pushId: input.id,
            line: entry.line,
          });
        }
      }
    },
  });
}
