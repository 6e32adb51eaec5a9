/** The event stream's status in words, announced politely when it changes. */
import type { EventStreamStatus } from '../live/event-stream.js';

/** The words for a status. */
export function liveStatusText(status: EventStreamStatus): string {
  switch (status.kind) {
    case 'connecting':
      return 'Connecting to live updates…';
    case 'open':
      return 'Live';
    case 'waiting':
      return `Live updates lost: ${status.reason}; reconnecting in ${Math.ceil(status.retryInMs / 1000)} s`;
    case 'unauthorized':
      return `Live updates refused: ${status.message}`;
    case 'unavailable':
      return `No live updates. ${status.message}. Use Refresh.`;
    case 'stopped':
      return 'Live updates stopped';
  }
}

export function LiveStatus({ status }: { status: EventStreamStatus }) {
  const tone = status.kind === 'open' ? 'ok' : status.kind === 'connecting' ? 'progress' : 'error';
  return (
    <p class={`live-status state tone-${tone}`} role="status" id="live-status">
      <span class="dot" aria-hidden="true" />
      {liveStatusText(status)}
    </p>
  );
}
