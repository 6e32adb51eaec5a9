/** Renders a push session as the API's push record (contract, "The push record"). */
import type { Push } from './push.js';
import { formatPushTime } from './time-format.js';
import type { PushRecord } from './types.js';

/** The state and counters of a push that has not run yet (a fresh create, a push no node runs). */
export const IDLE_PUSH_COUNTERS = Object.freeze({
  state: 'ready',
  sequence: 0,
  sentBytes: 0,
  sentTime: 0,
  totalsentBytes: 0,
  totalsentTime: 0,
} as const);

/** The record of `session` at `now`; `offsetMinutes` overrides the local UTC offset (tests). */
export function renderPushRecord(session: Push, now: number, offsetMinutes?: number): PushRecord {
  const def = session.definition;
  const sentBytes = session.sentBytes;
  const sentTime = session.sentTime(now);
  const fmt = (ms: number): string =>
    ms === 0
      ? epochText(offsetMinutes)
      : offsetMinutes === undefined
        ? formatPushTime(ms)
        : formatPushTime(ms, offsetMinutes);
  // Flattened once (a template literal builds a rope of many small strings): ~50 bytes kept per push.
  session.createdText ??= flat(fmt(def.createdTime));
  const stream: PushRecord['stream'] = {
    name: def.stream.name,
    tracks:
      session.selection !== undefined ? session.selection.tracks.map((t) => t.id) : [...(def.stream.tracks ?? [])],
  };
  if (def.stream.variantNames !== undefined) stream.variantNames = [...def.stream.variantNames];
  const record: PushRecord = {
    id: def.id,
    vhost: def.vhost,
    app: def.app,
    stream,
    protocol: def.protocol,
    url: def.url,
    streamKey: def.streamKey,
    state: session.state,
    sequence: session.sequence,
    sentBytes,
    sentTime,
    totalsentBytes: session.completedBytes + sentBytes,
    totalsentTime: session.completedTime + sentTime,
    createdTime: session.createdText,
    startTime: fmt(session.startTime),
    finishTime: fmt(session.finishTime),
    isConfig: def.isConfig === true,
    droppedFrames: session.droppedFrames,
    discontinuities: session.discontinuities,
  };
  if (session.lastError !== undefined) record.lastError = session.lastError;
  const recovery = session.recovery;
  if (recovery !== undefined) Object.assign(record, recovery);
  const reconnectIn = session.reconnectIn(now);
  if (reconnectIn !== undefined) record.reconnectIn = reconnectIn;
  if (session.selection !== undefined && session.selection.skipped.length > 0)
    record.skippedTracks = session.selection.skipped.map((s) => ({ ...s }));
  return record;
}

/** "Never happened" renders the same for every push: format it once per offset. */
const epochTexts = new Map<number | undefined, string>();
function epochText(offsetMinutes: number | undefined): string {
  let text = epochTexts.get(offsetMinutes);
  if (text === undefined) {
    text = flat(offsetMinutes === undefined ? formatPushTime(0) : formatPushTime(0, offsetMinutes));
    epochTexts.set(offsetMinutes, text);
  }
  return text;
}

/** A flat copy of a string built by concatenation (JSON round trip allocates one sequential string). */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
