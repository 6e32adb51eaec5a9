/**
 * What a lease is to its holder and to the others: the holder's identity, the lease a
 * node holds (with its fencing token and local deadline), why a lease was lost, and the
 * parsing of a lease key's value.
 */
import type { MonotonicClock } from './monotonic-clock.js';

/** Who a node is: its configured name and the random id of this process. */
export interface NodeIdentity {
  node: string;
  instance: string;
}

/** The holder of a lease, as Redis says. */
export interface LeaseHolder extends NodeIdentity {
  token: number;
  /** Milliseconds until it expires unless renewed (-1 when unknown). */
  ttlMs: number;
}

/** A lease this node holds. */
export interface Lease {
  readonly id: string;
  /** Fencing token: greater than every token handed out before this one. */
  readonly token: number;
  /** Monotonic-clock ms at which this node stops considering itself the holder (moved on by every renewal). */
  readonly deadline: number;
  /** True while held: not lost, not released, and the local deadline not reached. One clock read. */
  valid(): boolean;
}

/** Why a lease was lost. */
export interface LeaseLoss {
  id: string;
  token: number;
  /**
   * `expired`: no renewal succeeded before the local deadline (Redis unreachable, or
   * this process was paused). `taken`: a renewal found another holder.
   */
  reason: 'expired' | 'taken';
  /** How long after the local deadline the loss was noticed (a paused process notices late); 0 for `taken`. */
  lateMs: number;
}

/** A lease as its holder keeps it; `owner` is told when valid() finds the deadline passed. */
export class HeldLease implements Lease {
  state: 'held' | 'lost' | 'released' = 'held';

  constructor(
    private readonly owner: { expireOverdue(): void },
    readonly id: string,
    readonly token: number,
    public deadline: number,
    private readonly clock: MonotonicClock,
  ) {}

  valid(): boolean {
    if (this.state !== 'held') return false;
    if (this.clock.now() < this.deadline) return true;
    this.owner.expireOverdue();
    return false;
  }
}

/** Parses a lease value `{token} {node} {instance}`. */
export function parseLeaseValue(value: string, ttlMs = -1): LeaseHolder | null {
  const match = /^(\d+) (\S+) (\S+)$/.exec(value);
  if (match === null) return null;
  return { token: Number(match[1]), node: match[2] as string, instance: match[3] as string, ttlMs };
}
