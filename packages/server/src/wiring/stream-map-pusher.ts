/**
 * StreamMap automatic pushes: when a stream goes live in an application whose
 * `<Push><StreamMap>` is enabled, every matching entry becomes a push (isConfig: true).
 * The push then lives like any other: it waits in `ready` when the stream ends and
 * resumes when it is published again.
 */
import { createHash } from 'node:crypto';
import { DuplicatePushId, type PushService, type StartPushInput } from '@sluice/push';
import { expandStreamMacros, type StreamMapEntry } from '../config/stream-map.js';
import type { LiveStreamInfo, StreamHub } from '../hub/stream-hub.js';
import type { VirtualHostTable } from '../hub/virtual-host-table.js';
import type { Logger } from '../log/logger.js';

/** The id of the push an entry makes for a stream: stable, so a restart finds it again. */
export function streamMapPushId(entry: StreamMapEntry, vhost: string, app: string, stream: string): string {
  return `streammap${entry.index}:${vhost}/${app}/${stream}`;
}

/**
 * In a cluster: the id from vhost/app/stream and the target (protocol, url, stream key),
 * so that every node makes the same id for the same push whatever the order of entries
 * in its StreamMap file, and the shared registry holds one push per stream and target.
 */
export function targetStreamMapPushId(entry: StreamMapEntry, vhost: string, app: string, stream: string): string {
  const { protocol, url, streamKey } = streamMapPushInput(entry, vhost, app, stream);
  const target = createHash('sha256')
    .update(JSON.stringify([protocol.toLowerCase(), url.trim().replace(/\/+$/, ''), (streamKey ?? '').trim()]))
    .digest('hex')
    .slice(0, 12);
  return `streammap:${vhost}/${app}/${stream}:${target}`;
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

/** Makes an entry's push id for a stream (default streamMapPushId). */
export type StreamMapPushIdOf = (entry: StreamMapEntry, vhost: string, app: string, stream: string) => string;

/**
 * Starts StreamMap pushes as streams go live; returns the function that stops listening.
 * `push` may answer asynchronously (a cluster's shared registry); `pushIdOf` names the pushes.
 */
export function startStreamMapPusher(
  hub: StreamHub,
  vhosts: VirtualHostTable,
  push: PushService,
  log: Logger,
  pushIdOf: StreamMapPushIdOf = streamMapPushId,
): () => void {
  return hub.listen({
    onStreamStart: (info: LiveStreamInfo) => {
      const { vhost, app, name } = info.ref;
      const entries = vhosts.application(vhost, app)?.push?.streamMap?.entries ?? [];
      for (const entry of entries) {
        if (!entry.matches(name)) continue;
        const input = { ...streamMapPushInput(entry, vhost, app, name), id: pushIdOf(entry, vhost, app, name) };
        const created = (): void =>
          log.info('StreamMap push created', {
            vhost,
            app,
            stream: name,
            pushId: input.id,
            protocol: input.protocol,
            url: input.url,
          });
        const refused = (e: unknown): void => {
          if (e instanceof DuplicatePushId) return; // exists already: it resumes by itself
          log.warn(`StreamMap push refused: ${(e as Error).message}`, {
            vhost,
            app,
            stream: name,
            pushId: input.id,
            line: entry.line,
          });
        };
        try {
          const answer = push.startPush(input);
          if (answer instanceof Promise) answer.then(created, refused);
          else created();
        } catch (e) {
          refused(e);
        }
      }
    },
  });
}
