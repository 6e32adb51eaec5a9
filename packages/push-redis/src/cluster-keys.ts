/**
 * The names of every Redis key and channel a cluster uses, all under
 * `{prefix}:{{cluster}}:` (default prefix `sluice`). The braces are literal: they are a
 * Redis Cluster hash tag, so every key of one Sluice cluster lives in one slot and the
 * multi-key Lua scripts run unchanged on a sharded Redis.
 */

/** What a cluster name may be: 1-64 letters, digits, `.`, `_` or `-`. Node names follow the same rule. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws a TypeError unless `name` is a valid cluster or node name. */
export function checkName(kind: 'cluster' | 'node', name: string): string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw new TypeError(
      `${kind} name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(name)}`,
    );
  return name;
}

/** Key and channel names of one cluster. */
export class ClusterKeys {
  /** `sluice:{prod}:` */
  readonly base: string;
  /** Hash: push id → definition (JSON of StoredPush). */
  readonly pushes: string;
  /** Counter: incremented with every definition change (the change feed's version). */
  readonly version: string;
  /** Random text written once; a different one means Redis lost its data. */
  readonly epoch: string;
  /** Channel: `{version} put {json}` / `{version} del {id}`. */
  readonly changes: string;
  /** Counter: the fencing token of every lease of the cluster. */
  readonly fence: string;
  /** Channel: id of a lease just released (claimants retry at once). */
  readonly released: string;
  /** Set: node names that have published presence (dead ones are pruned by readers). */
  readonly nodes: string;

  constructor(
    readonly cluster: string,
    readonly prefix = 'sluice',
  ) {
    checkName('cluster', cluster);
    if (typeof prefix !== 'string' || prefix === '' || /[{}\s]/.test(prefix))
      throw new TypeError(`key prefix must be non-empty without braces or spaces, got ${JSON.stringify(prefix)}`);
    this.base = `${prefix}:{${cluster}}:`;
    this.pushes = `${this.base}pushes`;
    this.version = `${this.base}version`;
    this.epoch = `${this.base}epoch`;
    this.changes = `${this.base}changes`;
    this.fence = `${this.base}fence`;
    this.released = `${this.base}released`;
    this.nodes = `${this.base}nodes`;
  }

  /** String with TTL: `{token} {node} {instance}` of the lease holder of push `id`. */
  lease(id: string): string {
    return `${this.base}lease:${id}`;
  }

  /** String with TTL: the presence (JSON) of node `name`. */
  node(name: string): string {
    return `${this.base}node:${name}`;
  }

  /** Hash with TTL: push id → live state (JSON) of the pushes node `name` runs. */
  live(name: string): string {
    return `${this.base}live:${name}`;
  }
}
