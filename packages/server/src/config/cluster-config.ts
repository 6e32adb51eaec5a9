/**
 * `<Server><Cluster>`: several nodes sharing one push registry on Redis (contract,
 * "Several nodes"). Absent = a single node with its own file store.
 */
import type { ElementReader } from './element-reader.js';
import type { XmlElement } from './xml-tree.js';

/** The cluster settings of one node. */
export interface ClusterConfig {
  /** `<NodeName>`: unique per process in the cluster (SLUICE_NODE_NAME overrides it). */
  nodeName: string;
  /** `<Redis><Url>`: `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  redisUrl: string;
  /** `<Name>`: nodes sharing one Redis and one name share one registry (default `default`). */
  name: string;
  /** `<LeaseTimeout>` ms: how long a dead node's pushes stay its own (default 10000). */
  leaseTimeoutMs: number;
  /** `<ApiUrl>`: this node's API address announced to the others (informational). */
  apiUrl: string | undefined;
}

/** Default lease of a push: a dead node's pushes can move after at most this long. */
export const DEFAULT_LEASE_TIMEOUT_MS = 10_000;

/** Node and cluster names: what the Redis keys allow. */
export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Reads `<Cluster>`; undefined when absent. */
export function readClusterConfig(reader: ElementReader, element: XmlElement | undefined): ClusterConfig | undefined {
  if (element === undefined) return undefined;
  reader.expectChildren(element, ['Name', 'NodeName', 'Redis', 'LeaseTimeout', 'ApiUrl']);
  const nameOf = (child: XmlElement): string => {
    const value = reader.text(child);
    if (!CLUSTER_NAME.test(value))
      throw reader.error(
        child,
        `must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), got "${value}"`,
      );
    return value;
  };
  const nodeName = nameOf(reader.required(element, 'NodeName'));
  const nameElement = reader.child(element, 'Name');
  const redis = reader.required(element, 'Redis');
  reader.expectChildren(redis, ['Url']);
  const urlElement = reader.required(redis, 'Url');
  const redisUrl = reader.text(urlElement);
  if (!isRedisUrl(redisUrl))
    throw reader.error(urlElement, `must be redis://host:port[/db] or rediss://host:port[/db], got "${redisUrl}"`);
  const apiUrlElement = reader.child(element, 'ApiUrl');
  return {
    nodeName,
    redisUrl,
    name: nameElement === undefined ? 'default' : nameOf(nameElement),
    leaseTimeoutMs: reader.optionalInteger(element, 'LeaseTimeout', 2000, 300_000, DEFAULT_LEASE_TIMEOUT_MS),
    apiUrl: apiUrlElement === undefined ? undefined : reader.text(apiUrlElement),
  };
}

function isRedisUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'redis:' || url.protocol === 'rediss:') &&
    url.hostname !== '' &&
    /^(\/\d{0,2})?$/.test(url.pathname)
  );
}
