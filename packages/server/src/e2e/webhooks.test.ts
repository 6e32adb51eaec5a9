/**
 * Webhooks end to end (issue 13): a running server with two `<Webhook>`s POSTing to a
 * real node:http receiver in this test. `ops` (push.* and stream.published) first gets
 * 500 answers, then no answer past its `<Timeout>`, then 200: every event it takes is
 * delivered exactly once, in the order it happened, signed (X-Sluice-Signature), and
 * the retries are counted in /metrics. `hole` (push.created, QueueSize 2) never gets an
 * answer: its queue overflows and the drops are counted. While the receiver stalls, the
 * API answers and pushes keep pushing.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { describeWithPeers, runCommand, waitFor, type PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusEntry } from '../observe/event-bus.js';
import { startTestServer, TOKEN, type TestServer } from './harness.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';

const APP = '/v1/vhosts/default/apps/app';
const SECRET = 'e2e-webhook-secret';
const HOLE_SECRET = 'e2e-hole-secret';
const TIMEOUT_MS = 2000;
const OPS_TYPES = new Set(['push.created', 'push.state', 'push.removed', 'stream.published']);

type Mode = 'fail' | 'stall' | 'ok';

/** One request the receiver got. */
interface Received {
  path: string;
  mode: Mode;
  eventId: string;
  type: string;
  attempt: number;
  signature: string;
  body: string;
  /** What the receiver answered (undefined: never answered; the sender gave up). */
  status: number | undefined;
}

/** A webhook receiver: answers by mode on /ops; never answers on /hole. */
async function startReceiver(): Promise<{
  server: Server;
  url: (path: string) => string;
  received: Received[];
  setMode: (mode: Mode) => void;
  /** Requests held open right now. */
  held: () => number;
  close: () => Promise<void>;
}> {
  let mode: Mode = 'fail';
  const received: Received[] = [];
  let held = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const header = (name: string): string => String(req.headers[name] ?? '');
      const r: Received = {
        path: req.url ?? '',
        mode,
        eventId: header('x-sluice-event-id'),
        type: header('x-sluice-event'),
        attempt: Number(header('x-sluice-attempt')),
        signature: header('x-sluice-signature'),
        body: Buffer.concat(chunks).toString('utf8'),
        status: undefined,
      };
      received.push(r);
      if (r.path === '/hole' || mode === 'stall') {
        held++;
        res.on('close', () => held--); // the sender aborts at its <Timeout>
        return;
      }
      r.status = mode === 'fail' ? 500 : 200;
      res.writeHead(r.status, { 'content-type': 'text/plain' }).end(mode === 'fail' ? 'boom' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    setMode: (m) => {
      mode = m;
    },
    held: () => held,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP sink for the mpegts pushes. */
async function startSink(): Promise<{ server: TcpServer; port: number }> {
  const server = createTcpServer((socket) => {
    socket.resume();
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** `t=<s>,v1=<hex>` checked independently of the server's code: HMAC-SHA256 of "<t>.<body>". */
function signatureProblem(secret: string, header: string, body: string): string | undefined {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (match === null) return `malformed [${header}]`;
  const t = Number(match[1]);
  if (Math.abs(Date.now() / 1000 - t) > 300) return `t=${t} outside 5 minutes`;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return expected === match[2] ? undefined : 'mismatch';
}

/** The value of one series in a Prometheus text exposition (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeWithPeers(['ffmpeg', 'curl'], 'e2e: webhooks against a real receiver that fails, stalls and recovers', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let t: TestServer;
  const bus: BusEntry[] = [];
  const publishers: PeerProcess[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    sink = await startSink();
    t = await startTestServer({
      managersXml: `<Webhooks><DrainTimeout>500</DrainTimeout>
        <Webhook><Name>ops</Name><Url>${receiver.url('/ops')}</Url><SecretKey>${SECRET}</SecretKey>
          <Events>push.*, stream.published</Events><Timeout>${TIMEOUT_MS}</Timeout><RetryTimeout>600000</RetryTimeout>
          <RetryInitialDelay>100</RetryInitialDelay><RetryMaxDelay>400</RetryMaxDelay></Webhook>
        <Webhook><Name>hole</Name><Url>${receiver.url('/hole')}</Url><SecretKey>${HOLE_SECRET}</SecretKey>
          <Events>push.created</Events><Timeout>600000</Timeout><QueueSize>2</QueueSize></Webhook>
      </Webhooks>`,
    });
    t.server.eventBus.onPublished((entry) => bus.push(entry));
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => stopFfmpeg(p)));
    await t?.close();
    await receiver?.close();
    sink?.server.close();
  });

  const startPush = async (id: string, stream: string): Promise<void> => {
    const answer = await t.api('POST', `${APP}:startPush`, {
      id,
      stream: { name: stream },
      protocol: 'mpegts',
      url: `tcp://127.0.0.1:${sink.port}`,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const ops = (): Received[] => receiver.received.filter((r) => r.path === '/ops');
  const expectedOps = (): string[] => bus.filter((e) => OPS_TYPES.has(e.type)).map((e) => e.id);
  const deliveredOps = (): string[] => ops().flatMap((r) => (r.status === 200 ? [r.eventId] : []));

  it('retries through 500s and stalls without blocking media or the API, then delivers each event once, in order', async () => {
    // 1. the receiver answers 500: the first event is tried again and again, nothing after it
    publishers.push(startFfmpegPublisher(t.ingestUrl('cam')));
    await t.waitForLive('cam');
    await startPush('p1', 'cam');
    await t.waitForState('p1', 'pushing', 20_000);
    const refused = startFfmpegPublisher(`rtmp://127.0.0.1:${t.rtmpPort}/nope/cam`); // publish.refused: not for ops
    publishers.push(refused);
    await waitFor(() => bus.some((e) => e.type === 'publish.refused'), 20_000, 'a refused publish');
    await waitFor(() => ops().length >= 3, 20_000, 'three failed attempts');
    expect(new Set(ops().map((r) => r.eventId))).toEqual(new Set([expectedOps()[0]]));
    expect(ops().map((r) => r.attempt)).toEqual(ops().map((_, i) => i + 1));

    // 2. the receiver stalls past <Timeout>: the API answers and media flows meanwhile
    receiver.setMode('stall');
    await waitFor(() => receiver.held() > 0 && ops().at(-1)?.mode === 'stall', 20_000, 'a stalled request');
    const stats = await t.api('GET', '/v1/stats/current/vhosts/default/apps/app/streams/cam');
    expect(stats.status).toBe(200);
    await startPush('p2', 'cam');
    for (const id of ['r1', 'r2', 'r3']) await startPush(id, 'later'); // reserved: push.created, state ready
    const brief = startFfmpegPublisher(t.ingestUrl('brief')); // stream.published (ops), stream.ended (not ops)
    await t.waitForLive('brief');
    await stopFfmpeg(brief);
    await waitFor(() => bus.some((e) => e.type === 'stream.ended'), 20_000, 'stream brief ended');
    await t.waitForState('p2', 'pushing', 20_000);
    expect((await t.push('p1'))?.state).toBe('pushing');
    await waitFor(() => ops().filter((r) => r.mode === 'stall').length >= 2, 20_000, 'two stalled attempts');
    expect(receiver.held()).toBeGreaterThan(0); // a request is held open right now, after all of the above was answered
    expect(deliveredOps()).toEqual([]);

    // 3. the receiver recovers: everything arrives once, in the order it happened
    receiver.setMode('ok');
    const want = expectedOps();
    await waitFor(
      () => deliveredOps().length >= want.length,
      60_000,
      () => `${want.length} deliveries`,
    );
    await new Promise((r) => setTimeout(r, 1500)); // nothing more comes
    expect(deliveredOps()).toEqual(expectedOps());
    expect(deliveredOps()).toEqual(want);
    const types = new Set(ops().map((r) => r.type));
    expect(types).toEqual(new Set(['push.created', 'push.state', 'stream.published']));
    expect(bus.map((e) => e.type)).toEqual(expect.arrayContaining(['publish.refused', 'stream.ended']));

    // every request is signed over its raw body; the body is the event the headers name
    for (const r of receiver.received) {
      expect(signatureProblem(r.path === '/ops' ? SECRET : HOLE_SECRET, r.signature, r.body), r.eventId).toBe(
        undefined,
      );
      const entry = bus.find((e) => e.id === r.eventId);
      expect(r.body).toBe(entry?.data);
      expect(r.type).toBe(entry?.type);
    }
    // the attempt header counts the tries of each event
    for (const id of want) {
      const tries = ops().filter((r) => r.eventId === id);
      expect(tries.map((r) => r.attempt)).toEqual(tries.map((_, i) => i + 1));
    }
  }, 180_000);

  it('counts deliveries, failures, retries, queue depth and drops in /metrics', async () => {
    const scrape = await runCommand('curl', [
      '-sS',
      '--fail',
      '-H',
      `Authorization: Basic ${Buffer.from(TOKEN).toString('base64')}`,
      `http://127.0.0.1:${t.apiPort}/metrics`,
    ]);
    expect(scrape.code, scrape.stderr).toBe(0);
    const text = scrape.stdout;
    const opsRequests = ops();
    const delivered = opsRequests.filter((r) => r.status === 200).length;
    const failed = opsRequests.length - delivered;
    expect(failed).toBeGreaterThanOrEqual(5);
    const of = (name: string, labels = 'webhook="ops"'): number | undefined => sample(text, `${name}{${labels}}`);
    expect(of('sluice_webhook_deliveries_total')).toBe(delivered);
    expect(of('sluice_webhook_failures_total')).toBe(failed);
    expect(of('sluice_webhook_retries_total')).toBe(failed);
    expect(of('sluice_webhook_queue_depth')).toBe(0);
    for (const reason of ['overflow', 'expired', 'shutdown'])
      expect(of('sluice_webhook_dropped_total', `webhook="ops",reason="${reason}"`)).toBe(0);

    // hole: the first push.created in flight, two waiting, the rest dropped as overflow
    const created = bus.filter((e) => e.type === 'push.created').length;
    expect(created).toBe(5);
    expect(receiver.received.filter((r) => r.path === '/hole').map((r) => r.eventId)).toEqual([
      bus.find((e) => e.type === 'push.created')?.id,
    ]);
    expect(of('sluice_webhook_deliveries_total', 'webhook="hole"')).toBe(0);
    expect(of('sluice_webhook_failures_total', 'webhook="hole"')).toBe(0);
    expect(of('sluice_webhook_queue_depth', 'webhook="hole"')).toBe(3);
    expect(of('sluice_webhook_dropped_total', 'webhook="hole",reason="overflow"')).toBe(created - 3);
    expect(of('sluice_webhook_dropped_total', 'webhook="hole",reason="shutdown"')).toBe(0);
  });
});
