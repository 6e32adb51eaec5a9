/** vitest helpers that skip (visibly) or fail when a real peer is missing. */
import { describe } from 'vitest';
import { skipUnlessPeers, type PeerName } from './peers.js';

/** `describe` that needs real peers: skipped with the reason in its name when they are missing. */
export function describeWithPeers(peers: PeerName[], name: string, body: () => void): void {
  const skip = skipUnlessPeers(...peers);
  if (skip) {
    describe.skip(`${name} [skipped: ${skip}]`, body);
    console.warn(`[sluice] skipping "${name}": ${skip}`);
  } else {
    describe(name, body);
  }
}
