/** A claim on a push lease whose acquisition a test waits for and times. */
import type { Lease } from '../lease.js';
import type { PushLeases } from '../push-leases.js';

/** What a watched claim has seen: the lease once acquired, and `now()` when it was. */
export interface WatchedClaim {
  acquired: Lease | undefined;
  acquiredAt: number;
}

/** Claims push `id` on `leases`, recording the first lease acquired (any id) and when by `now`. */
export function claimWatched(leases: PushLeases, id: string, now: () => number): WatchedClaim {
  const claim: WatchedClaim = { acquired: undefined, acquiredAt: 0 };
  leases.on('acquired', (l) => {
    claim.acquiredAt = now();
    claim.acquired = l;
  });
  leases.claim(id);
  return claim;
}
