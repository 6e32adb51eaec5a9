/**
 * The `rtmp` push protocol (rtmp:// and rtmps:// destinations), over @sluice/rtmp's
 * RtmpPublisher: one RtmpPublisher per connection attempt, one video and one audio track.
 *
 * Fan-out: all publishers of a factory share one PayloadChunkCache. Pushes of the same
 * stream are handed the hub's payload view of each packet, so the first push to send a
 * packet chunks it and the others write the same bytes (each at its own rebased
 * timestamp, checked against its own chunk-stream state). Entries live only as long as
 * the payload views (hub GOP, push queues): memory does not grow with the stream.
 */
import { probeTcp, type PushProtocolModule, type PushSink, type PushTarget } from '@sluice/push';
import {
  checkRtmpUrl,
  DEFAULT_OUT_CHUNK_SIZE,
  parseRtmpUrl,
  PayloadChunkCache,
  rtmpCannotCarry,
  RtmpPublisher,
} from '@sluice/rtmp';

/** Options of the rtmp push protocol. */
export interface RtmpPushOptions {
  /** rtmps: verify the destination's certificate (default true). */
  rejectUnauthorized?: boolean | undefined;
  /** rtmps: extra trusted CA certificates (PEM). */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Outgoing chunk size (default: the publisher's, 4096). */
  chunkSize?: number | undefined;
  /** Chunk each media message once for all pushes of a stream (default true); false: each push chunks its own. */
  shareChunks?: boolean | undefined;
  /** The cache shared by this factory's publishers (default: a new one); exposed for tests and benchmarks. */
  sharedChunks?: PayloadChunkCache | undefined;
}

/** Creates the `rtmp` push protocol. */
export function createRtmpPushProtocol(options: RtmpPushOptions = {}): PushProtocolModule {
  const sharedChunks =
    options.shareChunks === false
      ? undefined
      : (options.sharedChunks ?? new PayloadChunkCache(options.chunkSize ?? DEFAULT_OUT_CHUNK_SIZE));
  return {
    name: 'rtmp',
    urlForms: '`rtmp://host[:port]/app[/instance]` or `rtmps://host[:port]/app[/instance]`',
    requiresStreamKey: true,
    streamKeyUse:
      'Required (may be empty when the key is in the url path); the RTMP publish target is url + "/" + streamKey.',
    cannotCarry: rtmpCannotCarry,
    checkUrl: (url) => checkRtmpUrl(url),
    destinationHost: (target) => parseRtmpUrl(target.url, target.streamKey).host,
    maxTracksPerKind: { video: 1, audio: 1, data: 0 },
    // While backing off, a bare TCP connect tells when the destination is back.
    probe: (target: PushTarget) => {
      try {
        const { host, port } = parseRtmpUrl(target.url, target.streamKey);
        return probeTcp(host, port, Math.min(target.connectTimeoutMs, 1000), target.resolveHost);
      } catch {
        return Promise.resolve(false);
      }
    },
    create: (target: PushTarget): PushSink =>
      new RtmpPublisher({
        url: target.url,
        streamKey: target.streamKey,
        // the push keeps both deadlines (Push: connect, SessionSender: send stall), once per push
        connectTimeoutMs: 0,
        sendTimeoutMs: 0,
        // a server that stops reading while the kernel still takes bytes: only the publisher sees its acknowledgements
        acknowledgementTimeoutMs: target.sendTimeoutMs,
        ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
        ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(sharedChunks !== undefined ? { sharedChunks } : {}),
        ...(target.resolveHost !== undefined ? { resolveHost: target.resolveHost } : {}),
      }),
  };
}
