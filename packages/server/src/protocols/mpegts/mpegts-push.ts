/** The `mpegts` push protocol (udp:// and tcp://): @sluice/mpegts's TsPushSink (TsMuxer + UdpTsSender/TcpTsSender). */
import { checkTsUrl, parseTsUrl, tsCannotCarry, TsPushSink } from '@sluice/mpegts';
import { probeTcp, type PushProtocolModule, type PushSink, type PushTarget } from '@sluice/push';

/** Creates the `mpegts` push protocol (udp://host:port[?pkt_size=N&ttl=N&bitrate=N&burst_bits=N], tcp://host:port). */
export function createMpegtsPushProtocol(): PushProtocolModule {
  return {
    name: 'mpegts',
    urlForms: '`udp://host:port[?pkt_size=N&ttl=N&bitrate=N&burst_bits=N]` or `tcp://host:port`',
    requiresStreamKey: false,
    streamKeyUse: 'Not used (empty or absent).',
    cannotCarry: tsCannotCarry,
    checkUrl: checkTsUrl,
    destinationHost: (target) => parseTsUrl(target.url).host,
    // tcp:// destinations can be probed while backing off; udp has no connection to probe.
    probe: (target: PushTarget) => {
      try {
        const destination = parseTsUrl(target.url);
        if (destination.protocol !== 'tcp') return Promise.resolve(true);
        return probeTcp(
          destination.host,
          destination.port,
          Math.min(target.connectTimeoutMs, 1000),
          target.resolveHost,
        );
      } catch {
        return Promise.resolve(false);
      }
    },
    create: (target: PushTarget): PushSink =>
      new TsPushSink({
        url: target.url,
        // the push keeps both deadlines (Push: connect, SessionSender: send stall), once per push
        connectTimeoutMs: 0,
        sendTimeoutMs: 0,
        resolveHost: target.resolveHost,
      }),
  };
}
