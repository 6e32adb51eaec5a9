/** Push sinks for `mpegts` (udp:// and tcp://): @sluice/mpegts's TsPushSink (TsMuxer + UdpTsSender/TcpTsSender). */
import { checkTsUrl, parseTsUrl, tsCannotCarry, TsPushSink } from '@sluice/mpegts';
import { probeTcp, type PushSink, type PushSinkFactory, type PushTarget } from '@sluice/push';

/** Creates the `mpegts` PushSinkFactory (udp://host:port[?pkt_size=N&ttl=N], tcp://host:port). */
export function createMpegtsSinkFactory(): PushSinkFactory {
  return {
    cannotCarry: tsCannotCarry,
    checkUrl: (url) =>
      /^(udp|tcp):\/\//i.test(url) ? checkTsUrl(url) : 'the url must be udp://host:port or tcp://host:port',
    // tcp:// destinations can be probed while backing off; udp has no connection to probe.
    probe: (target: PushTarget) => {
      try {
        const destination = parseTsUrl(target.url);
        if (destination.protocol !== 'tcp') return Promise.resolve(true);
        return probeTcp(destination.host, destination.port, Math.min(target.connectionTimeoutMs, 1000));
      } catch {
        return Promise.resolve(false);
      }
    },
    create: (target: PushTarget): PushSink =>
      new TsPushSink({
        url: target.url,
        connectionTimeoutMs: target.connectionTimeoutMs,
        sendTimeoutMs: target.sendTimeoutMs,
      }),
  };
}
