/**
 * The URL an RTMP encoder was given, rebuilt from what it sent: scheme, host and port of
 * its tcUrl (the default port written out, as SignedPolicy signs it), the application,
 * the stream name and its query — `rtmp://host:1935/app/stream?policy=..&signature=..`.
 * Without a tcUrl the address the connection reached stands in.
 */
import type { Socket } from 'node:net';
import type { PublishInfo } from '@sluice/rtmp';

const DEFAULT_PORTS: Record<string, number> = { rtmp: 1935, rtmps: 443 };

/** `scheme://host:port/app/stream[?query]` of a publish. */
export function rtmpPublishUrl(info: PublishInfo, socket: Pick<Socket, 'localAddress' | 'localPort'>): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/?#:]*)(?::(\d+))?/i.exec(info.tcUrl);
  let origin: string;
  if (m === null || m[2] === '') {
    const address = socket.localAddress ?? '127.0.0.1';
    origin = `rtmp://${address.includes(':') ? `[${address}]` : address}:${socket.localPort ?? DEFAULT_PORTS['rtmp']}`;
  } else {
    const scheme = (m[1] ?? 'rtmp').toLowerCase();
    origin = `${scheme}://${m[2]}:${m[3] ?? DEFAULT_PORTS[scheme] ?? DEFAULT_PORTS['rtmp']}`;
  }
  return `${origin}/${info.app}/${info.name}${info.query !== '' ? `?${info.query}` : ''}`;
}
