/** Push sinks for `mpegts` (udp:// and tcp://): @sluice/mpegts's TsPushSink (TsMuxer + UdpTsSender/TcpTsSender). */
import { checkTsUrl, tsCannotCarry, TsPushSink } from '@sluice/mpegts';
import type { PushSink, PushSinkFactory, PushTarget } from '@sluice/push';

/** Creates the `mpegts` PushSinkFactory (udp://host:port[?pkt_size=N&ttl=N], tcp://host:port). */
export function createMpegtsSinkFactory(): PushSinkFactory {
  return {
    cannotCarry: tsCannotCarry,
    checkUrl: (url) => (/^(udp|tcp):\/\//i.test(url) ? checkTsUrl(url) : 'the url must be udp://host:port or tcp://host:port'),
    create: (target: PushTarget): PushSink =>
      new TsPushSink({ url: target.url, connectionTimeoutMs: target.connectionTimeoutMs, sendTimeoutMs: target.sendTimeoutMs }),
  };
}
