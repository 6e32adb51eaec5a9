/**
 * The server's protocols, in ONE list each. Push protocols (PushProtocolModule of
 * @sluice/push: name, url check, what it can carry, reachability probe, sinks, the url
 * forms of the API docs) feed the push registry, the HTTP layer (validation, OpenAPI)
 * and the StreamMap check; ingest protocols (IngestProtocol) are opened by the server
 * and publish into the hub. Adding a protocol = one module + one line here
 * (docs/ARCHITECTURE.md, "How to add a protocol").
 */
import type { PushProtocolModule, PushSinkFactory } from '@sluice/push';
import { createMpegtsPushProtocol } from './mpegts/mpegts-push.js';
import type { IngestProtocol } from './ingest-protocol.js';
import { rtmpIngestProtocol } from './rtmp/rtmp-ingest.js';
import { createRtmpPushProtocol, type RtmpPushOptions } from './rtmp/rtmp-push.js';
import { srtIngestProtocol } from './srt/srt-ingest.js';
import { createSrtPushProtocol } from './srt/srt-push.js';

/** Options the built-in protocols take. */
export interface ProtocolOptions {
  /** rtmp pushes: rtmps:// certificate checks, chunk size and chunk sharing. */
  rtmp?: RtmpPushOptions | undefined;
}

/** The built-in push protocols. */
export function builtInPushProtocols(options: ProtocolOptions = {}): PushProtocolModule[] {
  return [createRtmpPushProtocol(options.rtmp), createMpegtsPushProtocol(), createSrtPushProtocol()];
}

/** The built-in ingest protocols. */
export function builtInIngestProtocols(): IngestProtocol[] {
  return [rtmpIngestProtocol, srtIngestProtocol];
}

/** The push registry's `sinks` option: each protocol under its name. Throws on a name given twice. */
export function sinkFactoriesByName(protocols: readonly PushProtocolModule[]): Record<string, PushSinkFactory> {
  const names = new Set<string>();
  for (const { name } of protocols) {
    if (name !== name.toLowerCase() || name === '')
      throw new RangeError(`push protocol name [${name}] must be lower case`);
    if (names.has(name)) throw new RangeError(`push protocol [${name}] is registered twice`);
    names.add(name);
  }
  // fromEntries defines own properties: a name like `__proto__` cannot reach the prototype
  return Object.fromEntries(protocols.map((p): [string, PushSinkFactory] => [p.name, p]));
}
