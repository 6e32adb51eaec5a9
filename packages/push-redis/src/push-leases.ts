/**
 * PushLeases: which node runs a push. One lease per push id, held by at most one
 * node: acquired atomically with a fencing token, renewed in one batch per tick for
 * every lease the node holds, released on purpose or left to expire with its TTL.
 *
 * Safety: the node reads its monotonic clock (t0) before it sends an acquisition or a
 * renewal. Redis sets the key's expiry when the command runs, later than t0, so the
 * key lives until at least t0 + TTL. The node considers the lease valid only until
 * t0 + TTL - margin by its own clock. Another node can acquire only once the key has
 * expired, so the old holder stopped considering itself the owner at least `margin`
 * before anyone else can start. A process paused (SIGSTOP, a long GC) past its
 * deadline sees `valid()` false the moment it resumes, before any renewal (each
 * renewal tick first expires overdue leases, and a late reply never revives a lease).
 * `margin` absorbs clock-rate differences between the node and Redis and the time
 * between a `valid()` check and the action it guards.
 */
import { EventEmitter } from 'node:events';
import type { ClusterKeys } from './cluster-keys.js';
import { errorText, RegistryUnavailable } from './errors.js';
import { acquireScript, releaseScript, renewScript } from './lease-scripts.js';
import { safeLog, type RegistryLogger } from './logger.js';
import {
  HeldLease,
  parseLeaseValue,
  type Lease,
  type LeaseHolder,
  type LeaseLoss,
  type NodeIdentity,
} from './lease.js';
import { monotonicClock, type MonotonicClock, type TimerHandle } from './monotonic-clock.js';
import type { RedisConnection } from './redis-connection.js';
import { emitSafely } from './safe-emit.js';

/** Options of PushLeases; all optional. */
export interface PushLeasesOptions {
  /** Lease TTL in Redis. Default 10000. */
  ttlMs?: number | undefined;
  /** How much earlier than the TTL the holder gives up by its own clock. Default 1500. */
  marginMs?: number | undefined;
  /** Renewal period of the leases held. Default 3000. Must be below ttlMs - marginMs. */
  renewIntervalMs?: number | undefined;
  /** A failed renewal is retried after this long. Default 500. */
  renewRetryMs?: number | undefined;
  /** Longest wait between two attempts of a claim on a lease held elsewhere. Default 2000. */
  claimRetryMaxMs?: number | undefined;
  clock?: MonotonicClock | undefined;
  /** Default console. */
  logger?: RegistryLogger | undefined;
}

/** Events of PushLeases. Listeners that throw are isolated (logged). */
export interface PushLeasesEvents {
  /** A claimed lease was acquired: the node may run the push. */
  acquired: [Lease];
  /** A held lease was lost: stop running the push. Emitted in a microtask; `valid()` is already false. */
  lost: [LeaseLoss];
  /** Redis had lost a held lease's key (data loss); it was written back with the same token. */
  restored: [Lease];
}

interface Claim {
  timer: TimerHandle | undefined;
  busy: boolean;
}

const positive = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
};

/** The leases of one node. */
export class PushLeases extends EventEmitter<PushLeasesEvents> {
  readonly ttlMs: number;
  readonly marginMs: number;
  readonly renewIntervalMs: number;
  private readonly renewRetryMs: number;
  private readonly claimRetryMaxMs: number;
  private readonly clock: MonotonicClock;
  private readonly logger: RegistryLogger;
  private readonly holderText: string;
  private readonly held = new Map<string, HeldLease>();
  private readonly claims = new Map<string, Claim>();
  private readonly acquiring = new Map<string, Promise<HeldLease | LeaseHolder>>();
  private readonly cleanups: Array<() => void> = [];
  private renewTimer: TimerHandle | undefined;
  private expiryTimer: TimerHandle | undefined;
  private expiryAt = Infinity;
  private renewing = false;
  private renewFailing = false;
  private maxTokenSeen = 0;
  private started = false;
  private closed = false;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: ClusterKeys,
    readonly identity: NodeIdentity,
    options: PushLeasesOptions = {},
  ) {
    super();
    this.ttlMs = Math.round(positive('ttlMs', options.ttlMs ?? 10_000));
    this.marginMs = positive('marginMs', options.marginMs ?? 1500);
    this.renewIntervalMs = positive('renewIntervalMs', options.renewIntervalMs ?? 3000);
    this.renewRetryMs = positive('renewRetryMs', options.renewRetryMs ?? 500);
    this.claimRetryMaxMs = positive('claimRetryMaxMs', options.claimRetryMaxMs ?? 2000);
    if (this.marginMs >= this.ttlMs) throw new RangeError('marginMs must be below ttlMs');
    if (this.renewIntervalMs >= this.ttlMs - this.marginMs)
      throw new RangeError(
        'renewIntervalMs must be below ttlMs - marginMs (a lease must be renewed before it is given up)',
      );
    if (/\s/.test(identity.node) || /\s/.test(identity.instance) || identity.node === '' || identity.instance === '')
      throw new TypeError('node and instance must be non-empty without white space');
    this.clock = options.clock ?? monotonicClock;
    this.logger = options.logger ?? console;
    this.holderText = `${identity.node} ${identity.instance}`;
  }

  /** Starts renewing and listening for released leases. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.cleanups.push(this.connection.subscribe(this.keys.released, (id) => this.onReleased(id)));
    const onUp = (): void => {
      void this.renewNow();
      for (const id of this.claims.keys()) this.scheduleClaim(id, 0);
    };
    this.connection.on('up', onUp);
    this.cleanups.push(() => this.connection.off('up', onUp));
    this.scheduleRenew(this.renewIntervalMs);
  }

  /** The valid lease of push `id`, if this node holds one. */
  lease(id: string): Lease | undefined {
    const lease = this.held.get(id);
    return lease !== undefined && lease.valid() ? lease : undefined;
  }

  /** Ids of the pushes whose lease this node holds (valid ones). */
  heldIds(): string[] {
    this.expireOverdue();
    return [...this.held.keys()];
  }

  /** Ids this node claims (wants to hold). */
  claimedIds(): string[] {
    return [...this.claims.keys()];
  }

  /**
   * One attempt: the lease if it was free (or this node's own), else who holds it.
   * Rejects with RegistryUnavailable when Redis is unreachable or answered too late to
   * be of use. No event: `acquired` is for claims.
   */
  async tryAcquire(id: string): Promise<Lease | LeaseHolder> {
    const existing = this.lease(id);
    if (existing !== undefined) return existing;
    let pending = this.acquiring.get(id);
    if (pending === undefined) {
      pending = this.acquireOnce(id).finally(() => this.acquiring.delete(id));
      this.acquiring.set(id, pending);
    }
    return pending;
  }

  /**
   * Wants the lease of push `id` until unclaimed: acquires it as soon as it is free
   * (at once when its holder releases it, right after it expires otherwise) and again
   * after losing it. Emits `acquired` each time it is acquired.
   */
  claim(id: string): void {
    if (this.closed) return;
    if (!this.claims.has(id)) this.claims.set(id, { timer: undefined, busy: false });
    if (this.lease(id) === undefined) this.scheduleClaim(id, 0);
  }

  /**
   * Gives up push `id`: withdraws the claim and, if held, deletes the lease (claimants
   * elsewhere are told at once). Resolves true when a lease was deleted; never rejects
   * (when Redis is unreachable the lease simply expires after its TTL).
   */
  async release(id: string): Promise<boolean> {
    const claim = this.claims.get(id);
    if (claim?.timer !== undefined) this.clock.clearTimeout(claim.timer);
    this.claims.delete(id);
    const lease = this.held.get(id);
    if (lease === undefined) return false;
    this.held.delete(id);
    const wasHeld = lease.state === 'held';
    lease.state = 'released';
    if (!wasHeld) return false;
    return this.deleteInRedis(lease);
  }

  /** Who holds push `id` now according to Redis, or null. Rejects with RegistryUnavailable. */
  async holder(id: string): Promise<LeaseHolder | null> {
    const [value, ttl] = await this.connection.run(`read the lease of push [${id}]`, async (r) => {
      const key = this.keys.lease(id);
      return Promise.all([r.get(key), r.pttl(key)]);
    });
    if (value === null) return null;
    const holder = parseLeaseValue(value, ttl);
    if (holder !== null) this.maxTokenSeen = Math.max(this.maxTokenSeen, holder.token);
    return holder;
  }

  /** Renews every held lease now (also what the renewal timer does). Never rejects. */
  async renewNow(): Promise<void> {
    if (this.renewing || this.closed) return;
    this.renewing = true;
    try {
      await this.renewHeld();
    } finally {
      this.renewing = false;
    }
  }

  /** Marks every lease whose local deadline has passed as lost (`expired`). */
  expireOverdue(): void {
    const now = this.clock.now();
    for (const lease of [...this.held.values()]) {
      if (lease.state === 'held' && now >= lease.deadline) this.lose(lease, 'expired', now - lease.deadline);
    }
  }

  /** Stops timers and releases every held lease (best effort). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.cleanups.splice(0)) off();
    if (this.renewTimer !== undefined) this.clock.clearTimeout(this.renewTimer);
    if (this.expiryTimer !== undefined) this.clock.clearTimeout(this.expiryTimer);
    for (const claim of this.claims.values()) if (claim.timer !== undefined) this.clock.clearTimeout(claim.timer);
    this.claims.clear();
    const leases = [...this.held.values()].filter((l) => l.state === 'held' && l.valid());
    this.held.clear();
    await Promise.all(
      leases.map((lease) => {
        lease.state = 'released';
        return this.deleteInRedis(lease);
      }),
    );
  }

  private async acquireOnce(id: string): Promise<HeldLease | LeaseHolder> {
    const sent = this.clock.now();
    const reply = (await this.connection.run(`acquire the lease of push [${id}]`, (r) =>
      acquireScript.run(r, [this.keys.lease(id), this.keys.fence], [this.holderText, this.ttlMs, this.maxTokenSeen]),
    )) as [number, number | string, number?];
    if (reply[0] !== 1) {
      const holder = parseLeaseValue(String(reply[1]), Number(reply[2] ?? -1));
      if (holder === null)
        throw new RegistryUnavailable(
          `acquire the lease of push [${id}]`,
          this.connection.address,
          `the lease key holds an unexpected value ${JSON.stringify(reply[1])}`,
        );
      this.maxTokenSeen = Math.max(this.maxTokenSeen, holder.token);
      return holder;
    }
    const token = Number(reply[1]);
    this.maxTokenSeen = Math.max(this.maxTokenSeen, token);
    const lease = new HeldLease(this, id, token, sent + this.ttlMs - this.marginMs, this.clock);
    if (this.clock.now() >= lease.deadline || this.closed) {
      lease.state = 'released';
      void this.deleteInRedis(lease);
      throw new RegistryUnavailable(
        `acquire the lease of push [${id}]`,
        this.connection.address,
        this.closed ? 'closed meanwhile' : 'the reply came after the lease would have been given up',
      );
    }
    const previous = this.held.get(id);
    if (previous !== undefined && previous.state === 'held') this.lose(previous, 'taken', 0); // superseded by our own new token
    this.held.set(id, lease);
    this.scheduleExpiry();
    return lease;
  }

  private async renewHeld(): Promise<void> {
    this.expireOverdue(); // first: a process resumed after a pause gives up before it talks to Redis
    const leases = [...this.held.values()].filter((l) => l.state === 'held');
    if (leases.length === 0) {
      this.renewFailing = false;
      this.scheduleRenew(this.renewIntervalMs);
      return;
    }
    if (!this.connection.available) {
      // The connection logs the outage; leases run to their deadlines meanwhile, renewed at once on 'up'.
      this.scheduleRenew(this.renewRetryMs);
      return;
    }
    const sent = this.clock.now();
    let reply: number[];
    try {
      reply = (await this.connection.run(`renew ${leases.length} push leases`, (r) =>
        renewScript.run(
          r,
          [this.keys.fence, ...leases.map((l) => this.keys.lease(l.id))],
          [this.ttlMs, ...leases.map((l) => `${l.token} ${this.holderText}`)],
        ),
      )) as number[];
    } catch (error) {
      if (!this.renewFailing)
        safeLog(
          this.logger,
          'warn',
          `cannot renew ${leases.length} push leases (${errorText(error)}); retrying; each is given up at its deadline`,
        );
      this.renewFailing = true;
      this.scheduleRenew(this.renewRetryMs);
      return;
    }
    if (this.renewFailing) safeLog(this.logger, 'info', 'push leases renewed again');
    this.renewFailing = false;
    const now = this.clock.now();
    leases.forEach((lease, i) => {
      const result = reply[i];
      if (this.held.get(lease.id) !== lease || lease.state !== 'held' || now >= lease.deadline) {
        // Lost or released while the renewal was in flight, or the reply came too late: never revived.
        if (lease.state === 'held') this.lose(lease, 'expired', now - lease.deadline);
        if (result === 1 || result === 2) void this.deleteInRedis(lease);
        return;
      }
      if (result === 0) {
        this.lose(lease, 'taken', 0);
        return;
      }
      lease.deadline = sent + this.ttlMs - this.marginMs;
      if (result === 2) {
        safeLog(
          this.logger,
          'warn',
          `lease of push [${lease.id}] was missing in Redis; written back (token ${lease.token})`,
        );
        queueMicrotask(() => emitSafely(this, this.logger, 'restored', lease));
      }
    });
    this.scheduleExpiry();
    this.scheduleRenew(this.renewIntervalMs);
  }

  private lose(lease: HeldLease, reason: LeaseLoss['reason'], lateMs: number): void {
    lease.state = 'lost';
    if (this.held.get(lease.id) === lease) this.held.delete(lease.id);
    const loss: LeaseLoss = { id: lease.id, token: lease.token, reason, lateMs: Math.max(0, Math.round(lateMs)) };
    safeLog(
      this.logger,
      'warn',
      `lost the lease of push [${lease.id}] (token ${lease.token}): ${reason === 'taken' ? 'another node holds it' : `not renewed in time${loss.lateMs > 0 ? ` (noticed ${loss.lateMs} ms late)` : ''}`}`,
    );
    queueMicrotask(() => emitSafely(this, this.logger, 'lost', loss));
    if (this.claims.has(lease.id)) this.scheduleClaim(lease.id, reason === 'taken' ? this.claimRetryMaxMs : 0);
  }

  private async deleteInRedis(lease: HeldLease): Promise<boolean> {
    try {
      const deleted = await this.connection.run(`release the lease of push [${lease.id}]`, (r) =>
        releaseScript.run(
          r,
          [this.keys.lease(lease.id)],
          [`${lease.token} ${this.holderText}`, this.keys.released, lease.id],
        ),
      );
      return Number(deleted) === 1;
    } catch (error) {
      safeLog(this.logger, 'warn', `${errorText(error)}; the lease expires by itself within ${this.ttlMs} ms`);
      return false;
    }
  }

  private scheduleClaim(id: string, delayMs: number): void {
    const claim = this.claims.get(id);
    if (claim === undefined || this.closed) return;
    if (claim.timer !== undefined) this.clock.clearTimeout(claim.timer);
    claim.timer = this.clock.setTimeout(
      () => {
        claim.timer = undefined;
        void this.attemptClaim(id, claim);
      },
      Math.max(0, delayMs),
    );
  }

  private async attemptClaim(id: string, claim: Claim): Promise<void> {
    if (claim.busy || this.claims.get(id) !== claim || this.lease(id) !== undefined) return;
    if (!this.connection.available) {
      this.scheduleClaim(id, this.claimRetryMaxMs); // and at once on 'up'
      return;
    }
    claim.busy = true;
    let result: Lease | LeaseHolder;
    try {
      result = await this.tryAcquire(id);
    } catch {
      claim.busy = false;
      this.scheduleClaim(id, this.renewRetryMs);
      return;
    }
    claim.busy = false;
    if (result instanceof HeldLease) {
      if (!this.claims.has(id)) {
        // Unclaimed while acquiring: give it back (a new claim made meanwhile keeps it instead).
        if (this.held.get(id) === result) this.held.delete(id);
        result.state = 'released';
        await this.deleteInRedis(result);
        return;
      }
      queueMicrotask(() => {
        if (result.valid()) emitSafely(this, this.logger, 'acquired', result);
      });
      return;
    }
    const holder = result as LeaseHolder;
    // Retry right after it would expire (a holder that renews pushes that back), at least every claimRetryMaxMs.
    const wait = holder.ttlMs < 0 ? this.claimRetryMaxMs : Math.min(this.claimRetryMaxMs, holder.ttlMs + 25);
    this.scheduleClaim(id, Math.max(50, wait));
  }

  private onReleased(id: string): void {
    if (this.claims.has(id) && this.lease(id) === undefined) this.scheduleClaim(id, 0);
  }

  private scheduleRenew(delayMs: number): void {
    if (this.closed || !this.started) return;
    if (this.renewTimer !== undefined) this.clock.clearTimeout(this.renewTimer);
    this.renewTimer = this.clock.setTimeout(() => {
      this.renewTimer = undefined;
      void this.renewNow();
    }, delayMs);
  }

  /** One timer at the earliest deadline: a lease nobody checks is still reported lost on time. */
  private scheduleExpiry(): void {
    let earliest = Infinity;
    for (const lease of this.held.values()) if (lease.state === 'held') earliest = Math.min(earliest, lease.deadline);
    if (earliest === this.expiryAt) return;
    if (this.expiryTimer !== undefined) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryAt = earliest;
    if (earliest === Infinity || this.closed) return;
    this.expiryTimer = this.clock.setTimeout(
      () => {
        this.expiryTimer = undefined;
        this.expiryAt = Infinity;
        this.expireOverdue();
        this.scheduleExpiry();
      },
      Math.max(0, earliest - this.clock.now()),
    );
  }
}
