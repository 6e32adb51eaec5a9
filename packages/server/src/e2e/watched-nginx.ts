/**
 * nginx-rtmp as the destination of cluster pushes, watched from its side: every
 * publish and publish_done reaches a small HTTP server here through nginx-rtmp's
 * `on_publish` / `on_publish_done` hooks (with the client's address), so a test can
 * say how many publishers a stream had at any moment; an idle publisher (a paused
 * node's connection) is dropped after `drop_idle_publisher`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startNginxRtmp, type NginxRtmp } from '@sluice/test-support';

/** One hook call. */
export interface PublishEvent {
  call: 'publish' | 'publish_done';
  /** The stream key (nginx's stream name). */
  name: string;
  clientId: string;
  addr: string;
  at: number;
}

/** nginx-rtmp with its publish events. */
export interface WatchedNginx {
  nginx: NginxRtmp;
  /** `rtmp://host:port/live`. */
  url(host?: string): string;
  events: PublishEvent[];
  /** Publishers of `name` now. */
  publishers(name: string): PublishEvent[];
  /** The most publishers `name` had at once (since `since`, default ever). */
  maxConcurrent(name: string, since?: number): number;
  /** publish events of `name` (since `since`). */
  publishes(name: string, since?: number): PublishEvent[];
  close(): Promise<void>;
}

/** Starts nginx-rtmp (app `live`, no recording) with the hooks. */
export async function startWatchedNginx(
  options: { alsoListenOn?: string[]; dropIdleMs?: number } = {},
): Promise<WatchedNginx> {
  const events: PublishEvent[] = [];
  const hooks: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hook');
    const call = url.searchParams.get('call');
    if (call === 'publish' || call === 'publish_done')
      events.push({
        call,
        name: url.searchParams.get('name') ?? '',
        clientId: url.searchParams.get('clientid') ?? '',
        addr: url.searchParams.get('addr') ?? '',
        at: Date.now(),
      });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  const hookPort = (hooks.address() as AddressInfo).port;
  const dropIdle = Math.max(1, Math.round((options.dropIdleMs ?? 1000) / 1000));
  const nginx = await startNginxRtmp({
    record: false,
    alsoListenOn: options.alsoListenOn,
    appDirectives: `on_publish http://127.0.0.1:${hookPort}/hook; on_publish_done http://127.0.0.1:${hookPort}/hook; drop_idle_publisher ${dropIdle}s;`,
  });
  const of = (name: string, since: number): PublishEvent[] => events.filter((e) => e.name === name && e.at >= since);
  return {
    nginx,
    url: (host = '127.0.0.1') => `rtmp://${host}:${nginx.port}/live`,
    events,
    publishers: (name) => {
      const open = new Map<string, PublishEvent>();
      for (const e of of(name, 0)) {
        if (e.call === 'publish') open.set(e.clientId, e);
        else open.delete(e.clientId);
      }
      return [...open.values()];
    },
    maxConcurrent: (name, since = 0) => {
      const open = new Set<string>();
      let max = 0;
      for (const e of of(name, 0)) {
        if (e.call === 'publish') open.add(e.clientId);
        else open.delete(e.clientId);
        if (e.at >= since) max = Math.max(max, open.size);
      }
      return max;
    },
    publishes: (name, since = 0) => of(name, since).filter((e) => e.call === 'publish'),
    close: async () => {
      await nginx.stop();
      await new Promise<void>((resolve) => hooks.close(() => resolve()));
    },
  };
}
