/**
 * The built-in protocols: the RTMP ingest feeding the hub, and the push sink
 * factories (rtmp over @sluice/rtmp's publisher, mpegts over @sluice/mpegts).
 */
import type { PushProtocol, PushSinkFactory } from '@sluice/push';
import type { StreamHub } from '../hub/stream-hub.js';
import type { VirtualHostTable } from '../hub/virtual-host-table.js';
import type { Logger } from '../log/logger.js';
import { createMpegtsSinkFactory } from '../sinks/mpegts-sink-factory.js';
import { createRtmpSinkFactory, type RtmpSinkFactoryOptions } from '../sinks/rtmp-sink-factory.js';
import { createRtmpIngest } from './rtmp-ingest.js';

/** What an ingest gets to work with. */
export interface IngestContext {
  hub: StreamHub;
  vhosts: VirtualHostTable;
  log: Logger;
}

/** A listener that receives streams from encoders and publishes them into the hub. */
export interface IngestService {
  /** Opens the port; resolves with the port bound. */
  listen(host: string | undefined, port: number): Promise<number>;
  /** Closes the port and every connection. */
  close(): Promise<void>;
}

/** The built-in sink factories; `rtmp` options apply to rtmps:// certificate checks. */
export function defaultSinkFactories(
  rtmp: RtmpSinkFactoryOptions = {},
): Partial<Record<PushProtocol, PushSinkFactory>> {
  return { rtmp: createRtmpSinkFactory(rtmp), mpegts: createMpegtsSinkFactory() };
}

/** The built-in RTMP ingest. */
export function defaultIngest(context: IngestContext): IngestService {
  return createRtmpIngest(context);
}
