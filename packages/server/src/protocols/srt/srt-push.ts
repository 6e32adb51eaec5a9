/**
 * The `srt` push protocol: MPEG-TS (the mpegts muxer, TsPushSink) inside SRT (@sluice/srt's
 * caller), 7 TS packets per SRT payload. `srt://host:port?latency=..&passphrase=..&pbkeylen=..
 * &streamid=..&timeout=..&pkt_size=..` with ffmpeg's names and units (microseconds).
 */
import { tsCannotCarry, TsPushSink } from '@sluice/mpegts';
import type { PushProtocolModule, PushSink, PushTarget } from '@sluice/push';
import { parseSrtPushUrl, SrtTsSender } from './srt-ts-sender.js';

/** Creates the `srt` push protocol. */
export function createSrtPushProtocol(): PushProtocolModule {
  return {
    name: 'srt',
    urlForms:
      '`srt://host:port[?latency=µs&passphrase=..&pbkeylen=16|24|32&streamid=..&timeout=µs&pkt_size=1316]` (ffmpeg query names; latency and timeout in microseconds)',
    requiresStreamKey: false,
    streamKeyUse: 'Not used (empty or absent); name the stream with `?streamid=`.',
    cannotCarry: tsCannotCarry,
    checkUrl: (url) => {
      try {
        parseSrtPushUrl(url);
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    },
    destinationHost: (target) => parseSrtPushUrl(target.url).host,
    // no probe: SRT has no cheap reachability check (a handshake is a connection attempt)
    create: (target: PushTarget): PushSink =>
      new TsPushSink(
        { url: target.url },
        {},
        () => new SrtTsSender(target.url, target.connectTimeoutMs, target.resolveHost),
      ),
  };
}
