/**
 * Why a publish was refused, as a short cause (for counters and metrics) and the words
 * said to the encoder and written to the log; and the counter of refusals by cause.
 */

/** The causes of a refused publish. */
export const REFUSAL_CAUSES = [
  /** No such virtual host / application, or the protocol is off for it. */
  'not-found',
  /** The stream name is empty or already being published. */
  'bad-name',
  /** SignedPolicy: no policy or signature in the URL. */
  'policy-missing',
  /** SignedPolicy: the policy is not base64url JSON with a numeric url_expire. */
  'policy-malformed',
  /** SignedPolicy: the signature does not match the URL (tampered, or another key). */
  'policy-signature',
  /** SignedPolicy: url_expire (or stream_expire) has passed. */
  'policy-expired',
  /** SignedPolicy: before url_activate. */
  'policy-not-active',
  /** SignedPolicy: the client's address is outside allow_ip. */
  'policy-ip',
  /** The control server answered `allowed: false`. */
  'webhook-refused',
  /** The control server did not answer within `<Timeout>`. */
  'webhook-timeout',
  /** The control server could not be reached (connection refused, DNS, TLS). */
  'webhook-unreachable',
  /** The control server answered with a status other than 2xx. */
  'webhook-status',
  /** The answer was not the expected JSON (or larger than 64 KiB). */
  'webhook-answer',
  /** Too many admission calls waiting already. */
  'webhook-busy',
  /** `new_url` names no usable virtual host / application / stream. */
  'rewrite-invalid',
] as const;

/** One cause of a refused publish. */
export type RefusalCause = (typeof REFUSAL_CAUSES)[number];

/** A refusal: its cause and the words for the encoder and the log. */
export interface Refusal {
  cause: RefusalCause;
  reason: string;
}

/**
 * THE count of refused publishes, by ingest protocol and cause: `server.admission.refusals`,
 * and what `/metrics` reads at scrape time (`sluice_publish_refusals_total{protocol,cause}`).
 */
export class RefusalCounters {
  /** protocol -> cause -> count (only pairs that happened). */
  private readonly counts = new Map<string, Map<RefusalCause, number>>();

  /** Counts one refusal. */
  add(cause: RefusalCause, protocol: string): void {
    let byCause = this.counts.get(protocol);
    if (byCause === undefined) this.counts.set(protocol, (byCause = new Map<RefusalCause, number>()));
    byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
  }

  /** The count of one cause, over every protocol. */
  get(cause: RefusalCause): number {
    let sum = 0;
    for (const byCause of this.counts.values()) sum += byCause.get(cause) ?? 0;
    return sum;
  }

  /** Every cause with its count over every protocol, in REFUSAL_CAUSES order (from 0). */
  snapshot(): Record<RefusalCause, number> {
    return Object.fromEntries(REFUSAL_CAUSES.map((c) => [c, this.get(c)])) as Record<RefusalCause, number>;
  }

  /** Calls `fn` for every protocol and cause counted so far. */
  forEach(fn: (protocol: string, cause: RefusalCause, count: number) => void): void {
    for (const [protocol, byCause] of this.counts) for (const [cause, n] of byCause) fn(protocol, cause, n);
  }

  /** All refusals. */
  total(): number {
    let sum = 0;
    for (const byCause of this.counts.values()) for (const n of byCause.values()) sum += n;
    return sum;
  }
}
