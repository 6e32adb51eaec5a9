/**
 * Fencing at the sink: in a cluster a node may open a destination, and send to it,
 * only while it holds the push's lease. Each protocol's factory is wrapped: create(),
 * open() and the reachability probe refuse without a valid lease, and send() drops a packet once the lease is
 * no longer valid (one clock read per packet), so a node resumed after a pause past its
 * lease sends nothing before its session is stopped.
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { PushProtocol, PushSink, PushSinkFactory, PushTarget } from '@sluice/push';

/** What the guard needs of a lease. */
export interface LeaseCheck {
  /** True while this node holds the lease (not lost, not released, deadline not passed). */
  valid(): boolean;
}

/** The lease this node holds for a push, or undefined. */
export type LeaseLookup = (pushId: string) => LeaseCheck | undefined;

/** A session was about to connect (or send) without holding the push's lease. */
export class LeaseNotHeld extends Error {
  override readonly name = 'LeaseNotHeld';
  constructor(readonly pushId: string) {
    super(`This node does not hold the lease of push [${pushId}]: not connecting (another node may run it)`);
  }
}

/** The factories with every sink guarded by the push's lease. */
export function guardSinks(
  factories: Readonly<Record<PushProtocol, PushSinkFactory>>,
  leaseOf: LeaseLookup,
): Record<PushProtocol, PushSinkFactory> {
  // fromEntries defines own properties: a protocol named `__proto__` cannot reach the prototype
  return Object.fromEntries(
    Object.entries(factories).map(([protocol, factory]): [PushProtocol, PushSinkFactory] => [
      protocol,
      new LeaseGuardedFactory(factory, leaseOf),
    ]),
  );
}

class LeaseGuardedFactory implements PushSinkFactory {
  readonly maxTracksPerKind: PushSinkFactory['maxTracksPerKind'];
  readonly requiresStreamKey: boolean | undefined;

  constructor(
    private readonly inner: PushSinkFactory,
    private readonly leaseOf: LeaseLookup,
  ) {
    this.maxTracksPerKind = inner.maxTracksPerKind;
    this.requiresStreamKey = inner.requiresStreamKey;
    // Not even a reachability probe without the lease: "unreachable" keeps the session backing off.
    if (inner.probe !== undefined)
      this.probe = (target) =>
        this.holds(target) ? (inner.probe?.(target) ?? Promise.resolve(false)) : Promise.resolve(false);
  }

  probe?: (target: PushTarget) => Promise<boolean>;

  cannotCarry(track: TrackInfo): string | null {
    return this.inner.cannotCarry(track);
  }

  checkUrl(url: string): string | null {
    return this.inner.checkUrl(url);
  }

  create(target: PushTarget): PushSink {
    const id = target.pushId ?? '';
    const lease = this.leaseOf(id);
    if (lease === undefined || !lease.valid()) throw new LeaseNotHeld(id);
    return new LeaseGuardedSink(this.inner.create(target), lease, id);
  }

  private holds(target: PushTarget): boolean {
    return this.leaseOf(target.pushId ?? '')?.valid() === true;
  }
}

class LeaseGuardedSink implements PushSink {
  constructor(
    private readonly inner: PushSink,
    private readonly lease: LeaseCheck,
    private readonly pushId: string,
  ) {}

  async open(tracks: readonly TrackInfo[]): Promise<void> {
    if (!this.lease.valid()) throw new LeaseNotHeld(this.pushId);
    await this.inner.open(tracks);
  }

  send(packet: MediaPacket): boolean {
    // A lost lease stops the session in a microtask; until then nothing more leaves this node.
    if (!this.lease.valid()) return true;
    return this.inner.send(packet);
  }

  get bytesSent(): number {
    return this.inner.bytesSent;
  }

  get confirmedBytes(): number | undefined {
    return this.inner.confirmedBytes;
  }

  get bufferedBytes(): number {
    return this.inner.bufferedBytes;
  }

  reconfigure(tracks: readonly TrackInfo[]): boolean {
    return this.inner.reconfigure?.(tracks) ?? false;
  }

  onDrain(listener: () => void): void {
    this.inner.onDrain(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.inner.onError(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
