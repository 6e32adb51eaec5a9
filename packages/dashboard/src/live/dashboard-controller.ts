/**
 * DashboardController: keeps the dashboard's state in step with the server. It opens
 * the event stream, loads a REST snapshot whenever a connection opens without resuming
 * (the first one, one after a lost position, or after a `reset` event), holds back
 * the events that arrive during that load and applies them after it, and turns our
 * own start/stop answers into state when no event has told it yet. No polling: between snapshots only events
 * change the state.
 */
import { ApiError, type ApiClient } from '../api/api-client.js';
import type { PushRecord, StartPushBody } from '../api/api-types.js';
import {
  EMPTY_STATE,
  pushKey,
  reduceDashboard,
  type AppRef,
  type DashboardAction,
  type DashboardState,
  type SnapshotStream,
} from './dashboard-state.js';
import { EventStreamClient, type EventStreamStatus, type Timers } from './event-stream.js';
import { parseServerEvent, type ServerEvent } from './server-events.js';

/** What the view shows besides the state. */
export interface DashboardStatus {
  /** The event stream's status. */
  live: EventStreamStatus;
  /** A snapshot load is running. */
  loading: boolean;
  /** Why the last snapshot load failed ('' when it did not). */
  loadError: string;
  /** Set once the token was refused: the view goes back to the login form with this message. */
  unauthorized: string;
}

/** Everything the view renders. */
export interface DashboardView {
  state: DashboardState;
  status: DashboardStatus;
}

/** Options of DashboardController. */
export interface DashboardControllerOptions {
  api: ApiClient;
  /** The event stream's url; default `/v1/events`. */
  eventsUrl?: string;
  /** Builds the event stream (tests pass a fetch and timers). */
  eventStream?: { fetch?: (input: string, init: RequestInit) => Promise<Response>; timers?: Timers };
}

/** The state of one signed-in dashboard. */
export class DashboardController {
  private view: DashboardView = {
    state: EMPTY_STATE,
    status: { live: { kind: 'connecting' }, loading: false, loadError: '', unauthorized: '' },
  };
  private readonly listeners = new Set<(view: DashboardView) => void>();
  private readonly events: EventStreamClient;
  private generation = 0;
  private held: ServerEvent[] | null = null;
  private loadedOnce = false;

  constructor(private readonly options: DashboardControllerOptions) {
    this.events = new EventStreamClient({
      url: options.eventsUrl ?? '/v1/events',
      authorization: options.api.authorizationHeader,
      fetch: options.eventStream?.fetch,
      timers: options.eventStream?.timers,
      onEvent: (message) => {
        const event = parseServerEvent(message);
        if (event !== null) this.receive(event);
      },
      onOpen: ({ resumed }) => {
        if (!resumed) void this.refresh();
      },
      onStatus: (live) => {
        this.setStatus({ live });
        if (live.kind === 'unauthorized') this.setStatus({ unauthorized: live.message });
        // no event stream (404), or none yet: still show what the REST API knows
        if ((live.kind === 'unavailable' || live.kind === 'waiting') && !this.loadedOnce && this.held === null)
          void this.refresh();
      },
    });
  }

  /** The current view. */
  get current(): DashboardView {
    return this.view;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: (view: DashboardView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the event stream (the first snapshot loads when it opens). */
  start(): void {
    this.events.start();
  }

  /** Closes the event stream. */
  stop(): void {
    this.events.stop();
    this.generation++;
  }

  /** Reloads everything through the REST API; events arriving meanwhile are applied after it. */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    this.held ??= [];
    this.setStatus({ loading: true });
    try {
      const snapshot = await this.loadSnapshot();
      if (generation !== this.generation) return;
      this.loadedOnce = true;
      const held = this.held ?? [];
      this.held = null;
      this.apply({ type: 'snapshot', ...snapshot });
      for (const event of held) this.apply({ type: 'event', event });
      this.setStatus({ loading: false, loadError: '' });
    } catch (error) {
      if (generation !== this.generation) return;
      const held = this.held ?? [];
      this.held = null;
      for (const event of held) this.apply({ type: 'event', event });
      this.failed(error);
      this.setStatus({ loading: false, loadError: messageOf(error) });
    }
  }

  /** Starts a push; resolves with its record, rejects with the API's ApiError. */
  async startPush(vhost: string, app: string, body: StartPushBody): Promise<PushRecord> {
    try {
      const record = await this.options.api.startPush(vhost, app, body);
      // the push.created event may have come first (and be newer): only fill a gap
      if (!this.view.state.pushes.has(pushKey(record))) this.apply({ type: 'push', record });
      return record;
    } catch (error) {
      this.failed(error);
      throw error;
    }
  }

  /** Stops a push; resolves with its record then (`stopping`/`stopped`). A push already gone leaves the table. */
  async stopPush(record: Pick<PushRecord, 'vhost' | 'app' | 'id'>): Promise<PushRecord> {
    try {
      const stopped = await this.options.api.stopPush(record.vhost, record.app, record.id);
      // with live events the push.state / push.removed events tell it (the answer may come after
      // push.removed: it must not bring the row back); without them the answer is all we get
      if (this.view.status.live.kind !== 'open' && this.view.state.pushes.has(pushKey(stopped)))
        this.apply({ type: 'push', record: stopped });
      return stopped;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404)
        this.apply({ type: 'pushGone', vhost: record.vhost, app: record.app, id: record.id });
      this.failed(error);
      throw error;
    }
  }

  private receive(event: ServerEvent): void {
    if (event.type === 'reset') {
      void this.refresh();
      return;
    }
    if (this.held !== null) this.held.push(event);
    else this.apply({ type: 'event', event });
  }

  private async loadSnapshot(): Promise<{ apps: AppRef[]; streams: SnapshotStream[]; pushes: PushRecord[] }> {
    const api = this.options.api;
    const vhosts = await api.vhosts();
    const perVhost = await Promise.all(
      vhosts.map(async (vhost) => (await api.apps(vhost)).map((app) => ({ vhost, app }))),
    );
    const apps: AppRef[] = [];
    const streams: SnapshotStream[] = [];
    const pushes: PushRecord[] = [];
    await Promise.all(
      perVhost.flat().map(async ({ vhost, app }) => {
        const [names, appPushes] = await Promise.all([api.streams(vhost, app), pushesOrDisabled(api, vhost, app)]);
        apps.push({ vhost, app, pushEnabled: appPushes !== null });
        if (appPushes !== null) pushes.push(...appPushes);
        const details = await Promise.all(names.map((name) => streamOrGone(api, vhost, app, name)));
        for (const detail of details) if (detail !== undefined) streams.push({ ...detail, vhost, app });
      }),
    );
    apps.sort((a, b) => (a.vhost === b.vhost ? compare(a.app, b.app) : compare(a.vhost, b.vhost)));
    return { apps, streams, pushes };
  }

  private failed(error: unknown): void {
    if (error instanceof ApiError && error.status === 401) {
      this.events.stop();
      this.setStatus({ unauthorized: error.message });
    }
  }

  private apply(action: DashboardAction): void {
    this.view = { ...this.view, state: reduceDashboard(this.view.state, action) };
    this.notify();
  }

  private setStatus(change: Partial<DashboardStatus>): void {
    this.view = { ...this.view, status: { ...this.view.status, ...change } };
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.view);
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The pushes of an app, or null when Push is not enabled for it (the API's 404). */
async function pushesOrDisabled(api: ApiClient, vhost: string, app: string): Promise<PushRecord[] | null> {
  try {
    return await api.pushes(vhost, app);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && /Push is not enabled/i.test(error.message)) return null;
    throw error;
  }
}

/** A stream's details, or undefined when it ended between the list and the detail call. */
async function streamOrGone(api: ApiClient, vhost: string, app: string, name: string) {
  try {
    return await api.stream(vhost, app, name);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
