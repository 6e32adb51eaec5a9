/**
 * A push's bounded send queue: packets waiting for a slow destination. Holds
 * references to the source's packets (never copies), counts their payload bytes, and
 * drops whole GOPs from the head so the destination always resumes at a keyframe.
 */
import type { MediaPacket } from '@sluice/media';

/** A growable ring buffer of packets with byte accounting. */
export class PacketQueue {
  private items: Array<MediaPacket | undefined>;
  private head = 0;
  private count = 0;
  /** Sum of payload bytes of the queued packets. */
  bytes = 0;

  /** `initialCapacity` is rounded up to a power of two. */
  constructor(initialCapacity = 16) {
    let capacity = 1;
    while (capacity < initialCapacity) capacity *= 2;
    this.items = new Array<MediaPacket | undefined>(capacity);
  }

  /** Number of queued packets. */
  get length(): number {
    return this.count;
  }

  /** Appends a packet. */
  push(packet: MediaPacket): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = packet;
    this.count++;
    this.bytes += packet.data.byteLength;
  }

  /** The oldest packet, or undefined when empty. */
  peek(): MediaPacket | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** The newest packet, or undefined when empty. */
  peekLast(): MediaPacket | undefined {
    return this.count === 0 ? undefined : this.items[(this.head + this.count - 1) & (this.items.length - 1)];
  }

  /** Removes and returns the oldest packet. */
  shift(): MediaPacket | undefined {
    if (this.count === 0) return undefined;
    const packet = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    if (packet) this.bytes -= packet.data.byteLength;
    return packet;
  }

  /** Empties the queue; returns how many packets it held. */
  clear(): number {
    const dropped = this.count;
    while (this.count > 0) this.shift();
    this.head = 0;
    return dropped;
  }

  /**
   * Drops packets from the head up to (not including) the next keyframe of
   * `gateTrackId` after the head. Returns the number dropped, or -1 when the queue
   * holds no such keyframe (then nothing was dropped).
   */
  dropToNextKeyframe(gateTrackId: number): number {
    const mask = this.items.length - 1;
    for (let i = 1; i < this.count; i++) {
      const packet = this.items[(this.head + i) & mask];
      if (packet && packet.key && packet.trackId === gateTrackId) {
        for (let n = 0; n < i; n++) this.shift();
        return i;
      }
    }
    return -1;
  }

  private grow(): void {
    const next = new Array<MediaPacket | undefined>(this.items.length * 2);
    const mask = this.items.length - 1;
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & mask];
    this.items = next;
    this.head = 0;
  }
}
