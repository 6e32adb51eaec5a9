/**
 * A FIFO of at most `capacity` items on a ring: push and shift are O(1) and allocate
 * nothing once the ring is full-sized. When full, push drops the oldest item and returns it.
 */
export class BoundedQueue<T> {
  private readonly ring: Array<T | undefined>;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
    this.ring = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `item`; when the queue was full, the oldest item is removed and returned. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.count === this.capacity) dropped = this.shift();
    this.ring[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return dropped;
  }

  /** The oldest item, without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.ring[this.head];
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  /** Removes every item, returning how many there were. */
  clear(): number {
    const n = this.count;
    while (this.count > 0) this.shift();
    return n;
  }
}
