/** Live streams grouped by virtual host and application: tracks, source, uptime, input bit rate chart. */
import type { AppRef, LiveStream, Notice } from '../live/dashboard-state.js';
import { formatBitrate, formatBytes, formatSince, formatTrack, UNKNOWN } from '../view/format.js';
import { Sparkline } from './sparkline.js';

export interface StreamsSectionProps {
  apps: readonly AppRef[];
  streams: readonly LiveStream[];
  notices: readonly Notice[];
  now: number;
}

export function StreamsSection({ apps, streams, notices, now }: StreamsSectionProps) {
  return (
    <section id="streams" aria-labelledby="streams-title">
      <h2 id="streams-title">Streams</h2>
      {apps.length === 0 && <p>No applications.</p>}
      {apps.map((app) => {
        const live = streams.filter((s) => s.vhost === app.vhost && s.app === app.app);
        return (
          <section class="app" key={`${app.vhost}\u0000${app.app}`} aria-label={`Application ${app.vhost}/${app.app}`}>
            <h3>
              <span class="muted">{app.vhost} /</span> {app.app}
              {!app.pushEnabled && <span class="tag">push disabled</span>}
            </h3>
            {live.length === 0 ? (
              <p class="muted">No live stream.</p>
            ) : (
              <ul class="streams">
                {live.map((s) => (
                  <StreamCard key={s.name} stream={s} now={now} />
                ))}
              </ul>
            )}
          </section>
        );
      })}
      {notices.length > 0 && (
        <section aria-labelledby="notices-title" class="notices">
          <h3 id="notices-title">Refused publishers</h3>
          <ul>
            {notices.map((n, i) => (
              <li key={`${n.time}-${i}`}>
                <time dateTime={n.time}>{n.time}</time> {n.text}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

function StreamCard({ stream, now }: { stream: LiveStream; now: number }) {
  return (
    <li class="stream card">
      <h4 class="stream-name">{stream.name}</h4>
      <dl class="facts">
        <div>
          <dt>Source</dt>
          <dd>{stream.sourceType ?? UNKNOWN}</dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd>{formatSince(stream.createdTime, now)}</dd>
        </div>
        <div>
          <dt>Input</dt>
          <dd>
            {formatBitrate(stream.bitrate)}
            {stream.bytesIn !== undefined && <span class="muted"> ({formatBytes(stream.bytesIn)} in)</span>}
          </dd>
        </div>
      </dl>
      <ul class="tracks" aria-label={`Tracks of ${stream.name}`}>
        {stream.tracks.map((t) => (
          <li key={t.id}>
            <span class="tag">{t.type}</span> <span class="muted">#{t.id}</span> {formatTrack(t)}
          </li>
        ))}
      </ul>
      <Sparkline values={stream.history} label={`Input bit rate of ${stream.name}`} />
    </li>
  );
}
