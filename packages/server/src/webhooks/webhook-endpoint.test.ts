import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.js';
import type { BusEntry } from '../observe/event-bus.js';
import type { SluiceEventType } from '../observe/server-events.js';
import { SLUICE_EVENT_TYPES } from '../observe/server-events.js';
import type { WebhookConfig } from './webhook-config.js';
import { WebhookEndpoint } from './webhook-endpoint.js';
import { verifySignature } from './webhook-signature.js';

function config(overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    name: 'test',
    url: 'http://127.0.0.1:9/hook',
    secretKey: 'k',
    events: new Set(SLUICE_EVENT_TYPES),
    timeoutMs: 1000,
    retryTimeoutMs: 60_000,
    retryInitialDelayMs: 10,
    retryMaxDelayMs: 40,
    queueSize: 100,
    ...overrides,
  };
}

let sequence = 0;
function entry(type: SluiceEventType = 'push.state'): BusEntry {
  sequence++;
  const event = { type, time: 'now', n: sequence } as unknown as BusEntry['event'];
  return { id: `r-${sequence}`, type, data: JSON.stringify(event), event };
}

/** A fetch answering with the statuses given in turn (then 200), recording each request. */
function scriptedFetch(statuses: number[] = []): { fetch: typeof fetch; requests: Request[] } {
  const requests: Request[] = [];
  const fetch = (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    requests.push(new Request(url, init));
    return Promise.resolve(new Response('ok', { status: statuses.shift() ?? 200 }));
  };
  return { fetch: fetch, requests };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const bodyOf = async (r: Request): Promise<{ n: number }> => JSON.parse(await r.text()) as { n: number };

describe('WebhookEndpoint', () => {
  it('posts the event JSON signed, with its type and id', async () => {
    const { fetch, requests } = scriptedFetch();
    const endpoint = new WebhookEndpoint(config(), { log: silentLogger, userAgent: 'sluice/test', fetch });
    const e = entry('stream.published');
    endpoint.offer(e);
    await until(() => endpoint.counters.deliveries === 1, 'the delivery');
    const [request] = requests;
    const body = await request!.text();
    expect(body).toBe(e.data);
    expect(request!.method).toBe('POST');
    expect(request!.headers.get('content-type')).toBe('application/json');
    expect(request!.headers.get('x-sluice-event')).toBe('stream.published');
    expect(request!.headers.get('x-sluice-event-id')).toBe(e.id);
    expect(request!.headers.get('user-agent')).toBe('sluice/test');
    expect(verifySignature('k', request!.headers.get('x-sluice-signature') ?? undefined, body, Date.now())).toBeNull();
    await endpoint.close(1000);
  });

  it('sends only the event types of its filter', async () => {
    const { fetch, requests } = scriptedFetch();
    const events = new Set<SluiceEventType>(['publish.refused']);
    const endpoint = new WebhookEndpoint(config({ events }), { log: silentLogger, userAgent: 'u', fetch });
    for (const type of SLUICE_EVENT_TYPES) endpoint.offer(entry(type));
    await until(() => endpoint.counters.deliveries === 1 && endpoint.depth === 0, 'the delivery');
    expect(requests.map((r) => r.headers.get('x-sluice-event'))).toEqual(['publish.refused']);
    await endpoint.close(1000);
  });

  it('retries a failing event with backoff before any later one: order kept, retries counted', async () => {
    const { fetch, requests } = scriptedFetch([500, 503, 500]);
    const endpoint = new WebhookEndpoint(config(), { log: silentLogger, userAgent: 'u', fetch });
    const first = [entry(), entry(), entry()];
    for (const e of first) endpoint.offer(e);
    await until(() => endpoint.counters.deliveries === 3, 'three deliveries');
    const sent = (await Promise.all(requests.map(bodyOf))).map((b) => b.n);
    const [a, b, c] = first.map((e) => (JSON.parse(e.data) as { n: number }).n);
    expect(sent).toEqual([a, a, a, a, b, c]);
    expect(requests.map((r) => r.headers.get('x-sluice-attempt'))).toEqual(['1', '2', '3', '4', '1', '1']);
    expect(endpoint.counters).toMatchObject({ deliveries: 3, failures: 3, retries: 3 });
    await endpoint.close(1000);
  });

  it('drops the oldest waiting event when the queue is full, and counts it', async () => {
    let release: (() => void) | undefined;
    const requests: string[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      requests.push(init.body as string);
      if (requests.length === 1) await new Promise<void>((r) => (release = r));
      return new Response(null, { status: 204 });
    }) as unknown as typeof globalThis.fetch;
    const endpoint = new WebhookEndpoint(config({ queueSize: 2 }), { log: silentLogger, userAgent: 'u', fetch });
    const events = [entry(), entry(), entry(), entry(), entry()];
    endpoint.offer(events[0]!);
    await until(() => requests.length === 1, 'the first request in flight');
    for (const e of events.slice(1)) endpoint.offer(e); // 1 in flight + 2 waiting; 2 dropped
    expect(endpoint.depth).toBe(3);
    expect(endpoint.counters.dropped.overflow).toBe(2);
    release!();
    await until(() => endpoint.counters.deliveries === 3, 'the deliveries');
    expect(requests).toEqual([events[0]!.data, events[3]!.data, events[4]!.data]);
    await endpoint.close(1000);
  });

  it('drops an event whose retry window is over, then delivers the next', async () => {
    let failing = true;
    const bodies: string[] = [];
    const fetch = ((_url: string, init: RequestInit) => {
      bodies.push(init.body as string);
      return Promise.resolve(new Response('x', { status: failing ? 500 : 200 }));
    }) as unknown as typeof globalThis.fetch;
    const endpoint = new WebhookEndpoint(
      config({ retryTimeoutMs: 100, retryInitialDelayMs: 30, retryMaxDelayMs: 30 }),
      {
        log: silentLogger,
        userAgent: 'u',
        fetch,
      },
    );
    endpoint.offer(entry());
    await until(() => endpoint.counters.dropped.expired === 1, 'the expiry');
    expect(endpoint.counters.failures).toBeGreaterThanOrEqual(2); // tried again before giving up
    expect(endpoint.counters.retries).toBe(endpoint.counters.failures - 1);
    expect(endpoint.depth).toBe(0);
    failing = false;
    const later = entry();
    endpoint.offer(later);
    await until(() => endpoint.counters.deliveries === 1, 'the later delivery');
    expect(bodies.at(-1)).toBe(later.data);
    await endpoint.close(1000);
  });

  it('on close delivers what is queued within the drain time, then drops the rest', async () => {
    const { fetch } = scriptedFetch();
    const quick = new WebhookEndpoint(config(), { log: silentLogger, userAgent: 'u', fetch });
    for (let i = 0; i < 5; i++) quick.offer(entry());
    await quick.close(5000);
    expect(quick.counters).toMatchObject({ deliveries: 5, dropped: { shutdown: 0 } });
    quick.offer(entry()); // closed: not taken
    expect(quick.depth).toBe(0);

    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal!.addEventListener('abort', () => reject(new Error('aborted'))),
      )) as unknown as typeof globalThis.fetch;
    const stuck = new WebhookEndpoint(config({ timeoutMs: 60_000 }), {
      log: silentLogger,
      userAgent: 'u',
      fetch: hanging,
    });
    for (let i = 0; i < 4; i++) stuck.offer(entry());
    const started = Date.now();
    await stuck.close(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stuck.counters).toMatchObject({ deliveries: 0, failures: 0, dropped: { shutdown: 4 } });
    expect(stuck.depth).toBe(0);
  });
});
