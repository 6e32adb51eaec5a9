/**
 * "Start a push": application, stream (a live one or a name to wait for), tracks from
 * the stream's own, a destination preset that fills the URL and says what the
 * platform needs, the stream key, an optional id. The API's error is shown as worded.
 */
import { useMemo, useState } from 'preact/hooks';
import type { PushRecord, StartPushBody } from '../api/api-types.js';
import type { AppRef, LiveStream } from '../live/dashboard-state.js';
import { formatTrack } from '../view/format.js';
import { codecProblems, DESTINATION_PRESETS, presetById } from '../view/presets.js';
import { toggled } from './toggled.js';

export interface StartPushFormProps {
  apps: readonly AppRef[];
  streams: readonly LiveStream[];
  onStart: (vhost: string, app: string, body: StartPushBody) => Promise<PushRecord>;
}

const appValue = (a: { vhost: string; app: string }): string => JSON.stringify([a.vhost, a.app]);

export function StartPushForm({ apps, streams, onStart }: StartPushFormProps) {
  const pushApps = apps.filter((a) => a.pushEnabled);
  const [appChoice, setAppChoice] = useState('');
  const [streamName, setStreamName] = useState('');
  const [trackIds, setTrackIds] = useState<ReadonlySet<number>>(new Set());
  const [presetId, setPresetId] = useState('youtube');
  const [url, setUrl] = useState(presetById('youtube')?.url ?? '');
  const [streamKey, setStreamKey] = useState('');
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  const selectedApp = pushApps.find((a) => appValue(a) === appChoice) ?? pushApps[0];
  const appStreams = streams.filter((s) => s.vhost === selectedApp?.vhost && s.app === selectedApp.app);
  const stream = appStreams.find((s) => s.name === streamName);
  const preset = presetById(presetId) ?? DESTINATION_PRESETS[0];
  const chosenTracks = useMemo(
    () => (stream?.tracks ?? []).filter((t) => trackIds.size === 0 || trackIds.has(t.id)),
    [stream, trackIds],
  );
  const problems = preset === undefined ? [] : codecProblems(preset, chosenTracks);

  if (preset === undefined) return null;

  const choosePreset = (next: string): void => {
    const p = presetById(next);
    setPresetId(next);
    if (p !== undefined) setUrl(p.url);
  };

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (selectedApp === undefined) return;
    setBusy(true);
    setError('');
    setDone('');
    const body: StartPushBody = { stream: { name: streamName.trim() }, protocol: preset.protocol, url: url.trim() };
    if (trackIds.size > 0) body.stream.tracks = [...trackIds].sort((a, b) => a - b);
    // rtmp needs the field (it may be empty when the key is the url's last path segment)
    if (preset.usesStreamKey) body.streamKey = streamKey.trim();
    if (id.trim() !== '') body.id = id.trim();
    try {
      const record = await onStart(selectedApp.vhost, selectedApp.app, body);
      setDone(`Push ${record.id} started (${record.state}).`);
      setStreamKey('');
      setId('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (pushApps.length === 0)
    return (
      <section id="start" aria-labelledby="start-title">
        <h2 id="start-title">Start a push</h2>
        <p class="muted">No application has Push enabled (&lt;Publishers&gt;&lt;Push&gt; in Server.xml).</p>
      </section>
    );

  return (
    <section id="start" aria-labelledby="start-title">
      <h2 id="start-title">Start a push</h2>
      <form class="start-push card" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="push-app">Application</label>
          <select
            id="push-app"
            value={appValue(selectedApp ?? { vhost: '', app: '' })}
            onChange={(e) => setAppChoice(e.currentTarget.value)}
          >
            {pushApps.map((a) => (
              <option key={appValue(a)} value={appValue(a)}>
                {a.vhost}/{a.app}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="push-stream">Stream</label>
          <input
            id="push-stream"
            list="push-stream-names"
            value={streamName}
            required
            autocomplete="off"
            aria-describedby="push-stream-hint"
            onInput={(e) => {
              setStreamName(e.currentTarget.value);
              setTrackIds(new Set());
            }}
          />
          <datalist id="push-stream-names">
            {appStreams.map((s) => (
              <option key={s.name} value={s.name} />
            ))}
          </datalist>
          <p id="push-stream-hint" class="hint">
            A live stream of the application, or a name that is not live yet (the push waits for it).
          </p>
        </div>
        {stream !== undefined && stream.tracks.length > 0 && (
          <fieldset class="field">
            <legend>Tracks (none ticked: all)</legend>
            {stream.tracks.map((t) => (
              <label class="check" key={t.id}>
                <input
                  type="checkbox"
                  checked={trackIds.has(t.id)}
                  onChange={() => setTrackIds(toggled(trackIds, t.id))}
                />{' '}
                #{t.id} {t.type}: {formatTrack(t)}
              </label>
            ))}
          </fieldset>
        )}
        <div class="field">
          <label for="push-preset">Destination</label>
          <select
            id="push-preset"
            value={preset.id}
            aria-describedby="push-needs"
            onChange={(e) => choosePreset(e.currentTarget.value)}
          >
            {DESTINATION_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
          <p id="push-needs" class="hint" aria-live="polite">
            <strong>Protocol {preset.protocol}.</strong> {preset.needs}
          </p>
          {problems.length > 0 && (
            <ul class="warning" aria-label="Codec warnings">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
        <div class="field">
          <label for="push-url">URL</label>
          <input
            id="push-url"
            type="text"
            inputMode="url"
            value={url}
            placeholder={preset.urlPlaceholder}
            required
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </div>
        {preset.usesStreamKey && (
          <div class="field">
            <label for="push-key">Stream key</label>
            <input
              id="push-key"
              type="password"
              value={streamKey}
              autocomplete="off"
              aria-describedby="push-key-hint"
              onInput={(e) => setStreamKey(e.currentTarget.value)}
            />
            <p id="push-key-hint" class="hint">
              Empty when the key is already the last part of the URL.
            </p>
          </div>
        )}
        <div class="field">
          <label for="push-id">Push ID (optional)</label>
          <input id="push-id" value={id} autocomplete="off" onInput={(e) => setId(e.currentTarget.value)} />
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Starting…' : 'Start push'}
          </button>
        </div>
        <p class="error" role="alert" id="start-error">
          {error}
        </p>
        <p class="ok" role="status">
          {done}
        </p>
      </form>
    </section>
  );
}
