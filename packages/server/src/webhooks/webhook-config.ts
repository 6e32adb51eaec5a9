/**
 * `<Managers><Webhooks>`: endpoints that get every server event (the events of
 * `/v1/events`) as a signed JSON POST. Several `<Webhook>` per server, each with its own
 * event filter, queue, timeout and retry window. Every wrong value is a ConfigError naming
 * the element and line.
 */
import type { ElementReader } from '../config/element-reader.js';
import type { XmlElement } from '../config/xml-tree.js';
import { SLUICE_EVENT_TYPES, type SluiceEventType } from '../observe/server-events.js';

/** One `<Webhook>`. */
export interface WebhookConfig {
  /** `<Name>`: the `webhook` label of its metrics and its name in the log (default `webhook-N`, N from 1). */
  name: string;
  /** `<Url>`: http or https, POSTed to. */
  url: string;
  /** `<SecretKey>`: the HMAC-SHA256 key of `X-Sluice-Signature`. */
  secretKey: string;
  /** `<Events>`: the event types sent (comma or space separated; `push.*` for a group, `*` for all; default all). */
  events: ReadonlySet<SluiceEventType>;
  /** `<Timeout>` ms: one request, connecting to the whole answer (default 5000). */
  timeoutMs: number;
  /** `<RetryTimeout>` ms: how long after it happened an event is still tried; later it is dropped (default 300000). */
  retryTimeoutMs: number;
  /** `<RetryInitialDelay>` ms: the wait before the first retry; doubled for each further failure (default 1000). */
  retryInitialDelayMs: number;
  /** `<RetryMaxDelay>` ms: the longest wait between two attempts (default 60000). */
  retryMaxDelayMs: number;
  /** `<QueueSize>`: events waiting for this endpoint; on overflow the oldest waiting one is dropped (default 1000). */
  queueSize: number;
}

/** `<Managers><Webhooks>`. */
export interface WebhooksConfig {
  /** `<DrainTimeout>` ms: on shutdown, how long queued events may still be delivered (default 5000). */
  drainTimeoutMs: number;
  webhooks: WebhookConfig[];
}

/** Defaults of a `<Webhook>` and of `<Webhooks>`. */
export const WEBHOOK_DEFAULTS = {
  timeoutMs: 5000,
  retryTimeoutMs: 300_000,
  retryInitialDelayMs: 1000,
  retryMaxDelayMs: 60_000,
  queueSize: 1000,
  drainTimeoutMs: 5000,
} as const;

const WEBHOOK_CHILDREN = [
  'Name',
  'Url',
  'SecretKey',
  'Events',
  'Timeout',
  'RetryTimeout',
  'RetryInitialDelay',
  'RetryMaxDelay',
  'QueueSize',
];

/** Reads `<Managers><Webhooks>`; absent = no webhooks. */
export function readWebhooksConfig(reader: ElementReader, element: XmlElement | undefined): WebhooksConfig {
  if (element === undefined) return { drainTimeoutMs: WEBHOOK_DEFAULTS.drainTimeoutMs, webhooks: [] };
  reader.expectChildren(element, ['Webhook', 'DrainTimeout'], ['DrainTimeout']);
  const webhooks = reader.children(element, 'Webhook').map((w, i) => readWebhook(reader, w, i));
  const names = new Set<string>();
  for (const [i, webhook] of webhooks.entries()) {
    if (names.has(webhook.name))
      throw reader.error(reader.children(element, 'Webhook')[i]!, `duplicate webhook name "${webhook.name}"`);
    names.add(webhook.name);
  }
  return {
    drainTimeoutMs: reader.optionalInteger(element, 'DrainTimeout', 0, 600_000, WEBHOOK_DEFAULTS.drainTimeoutMs),
    webhooks,
  };
}

function readWebhook(reader: ElementReader, element: XmlElement, index: number): WebhookConfig {
  reader.expectChildren(element, WEBHOOK_CHILDREN);
  const d = WEBHOOK_DEFAULTS;
  const nameElement = reader.child(element, 'Name');
  const name = nameElement === undefined ? `webhook-${index + 1}` : reader.text(nameElement);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name))
    throw reader.error(nameElement ?? element, `must be 1-64 letters, digits, '.', '_' or '-', got "${name}"`);
  const urlElement = reader.required(element, 'Url');
  const url = reader.text(urlElement);
  if (!isHttpUrl(url)) throw reader.error(urlElement, `must be an http:// or https:// URL, got "${redactUrl(url)}"`);
  const secretElement = reader.child(element, 'SecretKey');
  if (secretElement === undefined)
    throw reader.error(
      element,
      'required element <SecretKey> is missing (receivers verify X-Sluice-Signature with it)',
    );
  const secretKey = reader.text(secretElement);
  const eventsElement = reader.child(element, 'Events');
  const events = eventsElement === undefined ? new Set(SLUICE_EVENT_TYPES) : readEventFilter(reader, eventsElement);
  const ms = (child: string, min: number, max: number, fallback: number): number =>
    reader.optionalInteger(element, child, min, max, fallback);
  const retryInitialDelayMs = ms('RetryInitialDelay', 10, 3_600_000, d.retryInitialDelayMs);
  const retryMaxDelayMs = ms('RetryMaxDelay', 10, 3_600_000, Math.max(d.retryMaxDelayMs, retryInitialDelayMs));
  if (retryMaxDelayMs < retryInitialDelayMs)
    throw reader.error(
      reader.child(element, 'RetryMaxDelay') ?? element,
      `<RetryMaxDelay> (${retryMaxDelayMs}) must not be below <RetryInitialDelay> (${retryInitialDelayMs})`,
    );
  return {
    name,
    url,
    secretKey,
    events,
    timeoutMs: ms('Timeout', 100, 600_000, d.timeoutMs),
    retryTimeoutMs: ms('RetryTimeout', 0, 86_400_000, d.retryTimeoutMs),
    retryInitialDelayMs,
    retryMaxDelayMs,
    queueSize: ms('QueueSize', 1, 1_000_000, d.queueSize),
  };
}

/** `<Events>`: event type names, `group.*` or `*`, separated by commas or white space. */
function readEventFilter(reader: ElementReader, element: XmlElement): Set<SluiceEventType> {
  const words = reader
    .text(element)
    .split(/[\s,]+/)
    .filter((w) => w !== '');
  const chosen = new Set<SluiceEventType>();
  for (const word of words) {
    const matching = eventTypesMatching(word);
    if (matching.length === 0)
      throw reader.error(
        element,
        `unknown event type "${word}" (known: ${SLUICE_EVENT_TYPES.join(', ')}; also group.* and *)`,
      );
    for (const type of matching) chosen.add(type);
  }
  if (chosen.size === 0) throw reader.error(element, 'must name at least one event type');
  return chosen;
}

/** The event types a filter word names: an exact name, `group.*` or `*`. */
export function eventTypesMatching(word: string): SluiceEventType[] {
  if (word === '*') return [...SLUICE_EVENT_TYPES];
  if (word.endsWith('.*')) {
    const group = word.slice(0, -1); // keeps the dot
    return SLUICE_EVENT_TYPES.filter((t) => t.startsWith(group));
  }
  return SLUICE_EVENT_TYPES.filter((t) => t === word);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The URL without user information and query (what the log and the metrics show). */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
