/** The signed-in page: header with live status, streams, pushes, the start form. */
import { useEffect, useState } from 'preact/hooks';
import type { PushRecord, StartPushBody } from '../api/api-types.js';
import type { DashboardController, DashboardView as ViewState } from '../live/dashboard-controller.js';
import { sortedPushes, sortedStreams } from '../live/dashboard-state.js';
import { LiveStatus } from './live-status.js';
import { PushesTable } from './pushes-table.js';
import { StartPushForm } from './start-push-form.js';
import { StreamsSection } from './streams-section.js';
import { useNow } from './use-now.js';

export interface DashboardViewProps {
  controller: DashboardController;
  onLogout: () => void;
}

export function DashboardView({ controller, onLogout }: DashboardViewProps) {
  const [view, setView] = useState<ViewState>(controller.current);
  const now = useNow();
  useEffect(() => controller.subscribe(setView), [controller]);
  const { state, status } = view;
  const streams = sortedStreams(state);
  const pushes = sortedPushes(state);

  return (
    <>
      <header class="top">
        <h1>Sluice</h1>
        <nav aria-label="Sections">
          <a href="#streams">Streams</a>
          <a href="#pushes">Pushes</a>
          <a href="#start">Start a push</a>
        </nav>
        <div class="top-actions">
          <button type="button" onClick={() => void controller.refresh()} disabled={status.loading}>
            {status.loading ? 'Loading…' : 'Refresh'}
          </button>
          <button type="button" onClick={onLogout}>
            Sign out
          </button>
        </div>
        <LiveStatus status={status.live} />
      </header>
      <main id="main">
        {status.loadError !== '' && (
          <p class="error" role="alert">
            Could not load: {status.loadError}
          </p>
        )}
        <StreamsSection apps={state.apps} streams={streams} notices={state.notices} now={now} />
        <PushesTable
          pushes={pushes}
          onStop={async (record: PushRecord) => {
            await controller.stopPush(record);
          }}
        />
        <StartPushForm
          apps={state.apps}
          streams={streams}
          onStart={(vhost: string, app: string, body: StartPushBody) => controller.startPush(vhost, app, body)}
        />
      </main>
    </>
  );
}
