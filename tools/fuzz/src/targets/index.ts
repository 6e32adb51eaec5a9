/** Every fuzz target, in the order the runner and the RELIABILITY table list them. */
import type { FuzzTarget } from '../target.js';
import { amf0, codecConfig, flvFile } from './media.js';
import { tsDemuxer } from './mpegts.js';
import { rtmpChunkStream, rtmpHandshake, rtmpIngestSession, rtmpServerAnswers } from './rtmp.js';
import { pushStoreFile, serverXml, streamMapXml } from './server.js';
import { httpBodies } from './http.js';
import { srtStreamId } from './srt.js';
import { srtPackets } from './srt-packets.js';
import { signedPolicy, webhookAnswer } from './access.js';

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  amf0,
  flvFile,
  codecConfig,
  tsDemuxer,
  rtmpHandshake,
  rtmpChunkStream,
  rtmpServerAnswers,
  rtmpIngestSession,
  serverXml,
  streamMapXml,
  httpBodies,
  pushStoreFile,
  srtStreamId,
  srtPackets,
  webhookAnswer,
  signedPolicy,
];

/** The target called `name`; throws naming the known ones. */
export function fuzzTarget(name: string): FuzzTarget {
  const found = FUZZ_TARGETS.find((t) => t.name === name);
  if (found === undefined)
    throw new Error(`no fuzz target "${name}"; known: ${FUZZ_TARGETS.map((t) => t.name).join(', ')}`);
  return found;
}
