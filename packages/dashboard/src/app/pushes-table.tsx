/**
 * The pushes as a real <table>: one row per push with its destination (stream key
 * masked until shown), state in colour and in words, counters and a Stop button named
 * "Stop <id>" that asks first.
 */
import { useState } from 'preact/hooks';
import type { PushRecord } from '../api/api-types.js';
import { pushKey } from '../live/dashboard-state.js';
import { destinationOf } from '../view/destination-mask.js';
import { formatBitrate, formatBytes, formatDuration, UNKNOWN } from '../view/format.js';
import { pushStateStyle } from '../view/push-state-style.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { toggled } from './toggled.js';

export interface PushesTableProps {
  pushes: readonly PushRecord[];
  onStop: (record: PushRecord) => Promise<void>;
}

export function PushesTable({ pushes, onStop }: PushesTableProps) {
  const [shown, setShown] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState<PushRecord | null>(null);
  const [error, setError] = useState('');

  const stop = async (record: PushRecord): Promise<void> => {
    setConfirming(null);
    setError('');
    try {
      await onStop(record);
    } catch (e) {
      setError(`Could not stop ${record.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return (
    <section id="pushes" aria-labelledby="pushes-title">
      <h2 id="pushes-title">Pushes</h2>
      <p class="error" role="alert">
        {error}
      </p>
      {pushes.length === 0 ? (
        <p class="muted">No pushes.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="pushes-title">
          <table class="pushes">
            <caption class="visually-hidden">Pushes, live</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Stream</th>
                <th scope="col">Protocol</th>
                <th scope="col">Destination</th>
                <th scope="col">State</th>
                <th scope="col">Sent</th>
                <th scope="col">Bit rate</th>
                <th scope="col">Reconnects</th>
                <th scope="col">Last error</th>
                <th scope="col">Uptime</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pushes.map((p) => {
                const key = pushKey(p);
                return (
                  <PushRow
                    key={key}
                    record={p}
                    keyShown={shown.has(key)}
                    onToggleKey={() => setShown(toggled(shown, key))}
                    onStop={() => setConfirming(p)}
                  />
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {confirming !== null && (
        <ConfirmDialog
          title={`Stop push ${confirming.id}?`}
          message={`It stops sending ${confirming.stream.name} to ${destinationOf(confirming).masked} and leaves the list.`}
          confirmLabel="Stop push"
          onConfirm={() => void stop(confirming)}
          onCancel={() => setConfirming(null)}
        />
      )}
    </section>
  );
}

interface PushRowProps {
  record: PushRecord;
  keyShown: boolean;
  onToggleKey: () => void;
  onStop: () => void;
}

function PushRow({ record: p, keyShown, onToggleKey, onStop }: PushRowProps) {
  const destination = destinationOf(p);
  const state = pushStateStyle(p.state);
  const ending = p.state === 'stopping' || p.state === 'stopped';
  return (
    <tr data-push-id={p.id} data-state={p.state}>
      <th scope="row" class="push-id">
        {p.id}
      </th>
      <td>
        {p.stream.name}
        <div class="muted small">
          {p.vhost}/{p.app}
        </div>
      </td>
      <td>{p.protocol}</td>
      <td class="destination">
        <code>{keyShown ? destination.full : destination.masked}</code>
        {destination.hasSecret && (
          <button
            type="button"
            class="link"
            aria-pressed={keyShown ? 'true' : 'false'}
            aria-label={`Show key of ${p.id}`}
            onClick={onToggleKey}
          >
            Show key
          </button>
        )}
      </td>
      <td>
        <span class={`state tone-${state.tone}`} title={state.description}>
          <span class="dot" aria-hidden="true" />
          {state.text}
        </span>
        {p.reconnectIn !== undefined && p.state !== 'pushing' && (
          <div class="muted small">retry in {formatDuration(p.reconnectIn)}</div>
        )}
      </td>
      <td class="num">
        <data value={String(p.sentBytes)}>{formatBytes(p.sentBytes)}</data>
        {p.retransmittedPackets !== undefined && (
          <div class="muted small recovery">
            {p.retransmittedPackets} resent · {p.lostPackets ?? 0} lost · {p.droppedPackets ?? 0} dropped
          </div>
        )}
      </td>
      <td class="num">{formatBitrate(p.bitrate)}</td>
      <td class="num">{p.sequence}</td>
      <td class="last-error">{p.lastError ?? UNKNOWN}</td>
      <td class="num">{p.state === 'pushing' ? formatDuration(p.sentTime) : UNKNOWN}</td>
      <td>
        <button type="button" class="danger" aria-label={`Stop ${p.id}`} disabled={ending} onClick={onStop}>
          Stop
        </button>
      </td>
    </tr>
  );
}
