/**
 * End-to-end harness: a Sluice server in this process on 127.0.0.1 with free ports,
 * configured by a Server.xml written to a temp folder (optionally with a StreamMap),
 * and helpers to watch pushes through the REST API and the server's events.
 */
import type { PushRecord, PushState, PushStateChange } from '@sluice/push';
import { waitFor } from '@sluice/test-support';
import { createLogger } from '../log/logger.js';
import { createSluiceServer, type SluiceServer, type SluiceServerOptions } from '../sluice-server.js';
import { callApi, fetchPushRecord } from './peers.js';
import { TOKEN, writeTestConfig, type TestSrtIngest } from './test-config.js';

export { TOKEN, testServerXml, writeTestConfig } from './test-config.js';
export type { TestConfigOptions, TestServerXmlOptions, TestSrtIngest } from './test-config.js';

/** A running in-process server with its ports and a log of push state changes. */
export interface TestServer {
  server: SluiceServer;
  apiPort: number;
  rtmpPort: number;
  /** The SRT ingest's UDP port (0 without `srt`). */
  srtPort: number;
  /** Every push state change seen, in order. */
  changes: PushStateChange[];
  /** `rtmp://127.0.0.1:PORT/app/NAME`. */
  ingestUrl: (name: string) => string;
  api: <T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown) => ReturnType<typeof callApi<T>>;
  /** The push record through `POST :pushes` (undefined when absent). */
  push: (id: string) => Promise<PushRecord | undefined>;
  /** States a push went through (from the change events). */
  statesOf: (id: string) => PushState[];
  /** Messages of the errors push `id` entered `error` with (from the change events), in order. */
  errorsOf: (id: string) => string[];
  waitForState: (id: string, state: PushState, timeoutMs?: number) => Promise<PushRecord>;
  /** Resolves once push `id` is gone from `POST :pushes` (stopped and torn down). */
  waitForGone: (id: string, timeoutMs?: number) => Promise<void>;
  /** Resolves once stream `default/app/NAME` is live in the hub (tracks declared). */
  waitForLive: (name: string, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
}

/** Starts a server on 127.0.0.1 with free ports and a fast retry policy (or the contract's defaults). */
export async function startTestServer(
  options: {
    streamMapXml?: string;
    dataDir?: string;
    logs?: boolean;
    rtmpsCa?: string;
    contractRetryDefaults?: boolean;
    /** Push protocols instead of the built-in ones (tests wrap the real ones to inject faults). */
    pushProtocols?: SluiceServerOptions['pushProtocols'];
    /** Opens the SRT ingest too (app `app` takes SRT). */
    srt?: TestSrtIngest;
    /** More elements inside app `app`'s `<Push>` (`<MaxPushes>`, `<Destinations>`). */
    pushXml?: string;
    /** How push destinations are looked up (default: the system resolver). */
    resolveHost?: SluiceServerOptions['resolveHost'];
    /** More elements inside `<Managers>` after `<API>` (`<Webhooks>`). */
    managersXml?: string;
    /** Where push sessions' output timelines start (ms): a long-running push simulated. */
    pushTimelineOriginMs?: number;
  } = {},
): Promise<TestServer> {
  const { file } = writeTestConfig({
    streamMapXml: options.streamMapXml,
    srt: options.srt,
    pushXml: options.pushXml,
    managersXml: options.managersXml,
  });
  const server = createSluiceServer({
    configFile: file,
    host: '127.0.0.1',
    dataDir: options.dataDir,
    retry: options.contractRetryDefaults === true ? undefined : { initialDelayMs: 200, maxDelayMs: 1000 },
    rtmps: options.rtmpsCa === undefined ? undefined : { ca: options.rtmpsCa },
    pushProtocols: options.pushProtocols,
    resolveHost: options.resolveHost,
    pushTimelineOriginMs: options.pushTimelineOriginMs,
    logger:
      options.logs === true || process.env['SLUICE_E2E_LOGS'] === '1' ? createLogger({ level: 'debug' }) : undefined,
  });
  const changes: PushStateChange[] = [];
  server.events.on('pushChange', (c) => changes.push(c));
  const { apiPort, rtmpPort, ingestPorts } = await server.listen();
  const api = <T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown) =>
    callApi<T>(apiPort as number, TOKEN, method, path, body);
  const push = (id: string): Promise<PushRecord | undefined> => fetchPushRecord(apiPort as number, TOKEN, id);
  const statesOf = (id: string): PushState[] => changes.filter((c) => c.id === id).map((c) => c.to);
  const errorsOf = (id: string): string[] =>
    changes.flatMap((c) => (c.id === id && c.error !== undefined ? [c.error.message] : []));
  return {
    server,
    apiPort: apiPort as number,
    rtmpPort,
    srtPort: ingestPorts['srt'] ?? 0,
    changes,
    ingestUrl: (name) => `rtmp://127.0.0.1:${rtmpPort}/app/${name}`,
    api,
    push,
    statesOf,
    errorsOf,
    waitForState: async (id, state, timeoutMs = 10_000) => {
      let record: PushRecord | undefined;
      await waitFor(
        async () => {
          record = await push(id);
          return record?.state === state;
        },
        timeoutMs,
        () => `push ${id} in state ${state} (states seen: ${statesOf(id).join(' ')})`,
        50,
      );
      return record as PushRecord;
    },
    waitForGone: (id, timeoutMs = 10_000) =>
      waitFor(async () => (await push(id)) === undefined, timeoutMs, `push ${id} torn down`),
    waitForLive: (name, timeoutMs = 15_000) =>
      waitFor(
        () => server.hub.stream({ vhost: 'default', app: 'app', name }) !== undefined,
        timeoutMs,
        `stream ${name} live`,
      ),
    close: () => server.close(),
  };
}

/** Sleeps. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
