/**
 * The `mpegts` push protocol (udp:// and tcp://): @sluice/mpegts's TsPushSink. With the
 * hub as `source`, every mpegts push of a stream and track set reads one shared output
 * (TsStreamOutputs: muxed once, on the stream's timeline) paced by the process-wide
 * TsPacer; without it each sink muxes its own session's packets.
 */
import {
  checkTsUrl,
  parseTsUrl,
  tsCannotCarry,
  TsPushSink,
  TsStreamOutputs,
  type TsPacketSource,
} from '@sluice/mpegts';
import { probeTcp, type PushProtocolModule, type PushSink, type PushTarget } from '@sluice/push';

/** Creates the `mpegts` push protocol (udp://host:port[?pkt_size=N&ttl=N&bitrate=N&burst_bits=N], tcp://host:port). */
export function createMpegtsPushProtocol(source?: TsPacketSource): PushProtocolModule {
  const outputs = source === undefined ? undefined : new TsStreamOutputs(source);
  return {
    name: 'mpegts',
    urlForms: '`udp://host:port[?pkt_size=N&ttl=N&bitrate=N&burst_bits=N]` or `tcp://host:port`',
    requiresStreamKey: false,
    streamKeyUse: 'Not used (empty or absent).',
    cannotCarry: tsCannotCarry,
    checkUrl: checkTsUrl,
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
      new TsPushSink(
        { url: target.url, connectionTimeoutMs: target.connectionTimeoutMs, sendTimeoutMs: target.sendTimeoutMs },
        {
          shared: outputs !== undefined && target.stream !== undefined ? { outputs, stream: target.stream } : undefined,
        },
      ),
  };
}
