/**
 * The security parts of Server.xml: TLS ports and certificate files, the API's limits
 * for slow and failing clients, the default-token opt-in, and per-application push
 * destination rules (enforced by access/destination-policy.ts) and push caps. Read by server-config.ts; every wrong value is a
 * ConfigError naming the element and line.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { ElementReader } from './element-reader.js';
import type { XmlElement } from './xml-tree.js';

/** `<Managers><Host><TLS>`: PEM files of the certificate served on the TLS ports. */
export interface TlsFilesConfig {
  /** `<CertPath>`: the server certificate (PEM), absolute. */
  certPath: string;
  /** `<KeyPath>`: its private key (PEM), absolute. */
  keyPath: string;
  /** `<ChainCertPath>`: intermediate certificates (PEM) sent after the certificate, absolute. */
  chainCertPath: string | undefined;
}

/** `<Managers><API><Limits>`: bounds for slow, idle and failing API clients. */
export interface ApiLimitsConfig {
  /** Most simultaneous connections per API port (`<MaxConnections>`, default 1000); more are closed at once. */
  maxConnections: number;
  /** Milliseconds to receive a request's headers (`<HeadersTimeout>`, default 10000). */
  headersTimeoutMs: number;
  /** Milliseconds to receive a whole request (`<RequestTimeout>`, default 30000). */
  requestTimeoutMs: number;
  /** Milliseconds a request body may send nothing (`<BodyTimeout>`, default 10000). */
  bodyTimeoutMs: number;
  /** Milliseconds an idle keep-alive connection stays open (`<KeepAliveTimeout>`, default 5000). */
  keepAliveTimeoutMs: number;
  /** Failed authentications per client address and minute before 429 (`<AuthFailuresPerMinute>`, default 20). */
  authFailuresPerMinute: number;
}

/** Defaults of `<Managers><API><Limits>`. */
export const DEFAULT_API_LIMITS: Readonly<ApiLimitsConfig> = {
  maxConnections: 1000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  authFailuresPerMinute: 20,
};

/** `<Push><Destinations>`: where pushes of one application may go. Deny wins over Allow (access/destination-policy.ts). */
export interface DestinationRulesConfig {
  /** `<Allow>` entries (host globs or CIDRs); empty = everything not denied. */
  allow: string[];
  /** `<Deny>` entries (host globs or CIDRs). */
  deny: string[];
  /** `<DenyInternal>` (default true): refuse loopback, private, link-local and unspecified addresses unless an `<Allow>` address or CIDR names them. */
  denyInternal: boolean;
}

/** Reads `<Bind><Managers><API><TLSPort>` or `<Bind><Providers><RTMP><TLSPort>` (undefined when absent). */
export function readTlsPort(reader: ElementReader, bindElement: XmlElement): number | undefined {
  const element = reader.child(bindElement, 'TLSPort');
  return element === undefined ? undefined : reader.port(element, true);
}

/** Reads `<Managers><Host><TLS>`; paths are resolved against the Server.xml folder. */
export function readTlsFiles(reader: ElementReader, tls: XmlElement, baseDir: string): TlsFilesConfig {
  reader.expectChildren(tls, ['CertPath', 'KeyPath', 'ChainCertPath']);
  const path = (name: string): string => resolve(baseDir, reader.text(reader.required(tls, name)));
  const chain = reader.child(tls, 'ChainCertPath');
  return {
    certPath: path('CertPath'),
    keyPath: path('KeyPath'),
    chainCertPath: chain === undefined ? undefined : resolve(baseDir, reader.text(chain)),
  };
}

/** Reads `<Managers><API><Limits>` (absent: the defaults). */
export function readApiLimits(reader: ElementReader, limits: XmlElement | undefined): ApiLimitsConfig {
  if (limits === undefined) return { ...DEFAULT_API_LIMITS };
  const names = [
    'MaxConnections',
    'HeadersTimeout',
    'RequestTimeout',
    'BodyTimeout',
    'KeepAliveTimeout',
    'AuthFailuresPerMinute',
  ];
  reader.expectChildren(limits, names);
  const d = DEFAULT_API_LIMITS;
  const ms = (name: string, fallback: number): number => reader.optionalInteger(limits, name, 100, 3_600_000, fallback);
  const headersTimeoutMs = ms('HeadersTimeout', d.headersTimeoutMs);
  const requestTimeoutMs = ms('RequestTimeout', d.requestTimeoutMs);
  if (requestTimeoutMs < headersTimeoutMs)
    throw reader.error(
      limits,
      `<RequestTimeout> (${requestTimeoutMs}) must not be below <HeadersTimeout> (${headersTimeoutMs})`,
    );
  return {
    maxConnections: reader.optionalInteger(limits, 'MaxConnections', 1, 1_000_000, d.maxConnections),
    headersTimeoutMs,
    requestTimeoutMs,
    bodyTimeoutMs: ms('BodyTimeout', d.bodyTimeoutMs),
    keepAliveTimeoutMs: ms('KeepAliveTimeout', d.keepAliveTimeoutMs),
    authFailuresPerMinute: reader.optionalInteger(
      limits,
      'AuthFailuresPerMinute',
      1,
      1_000_000,
      d.authFailuresPerMinute,
    ),
  };
}

/** Reads `<Push><Destinations>`: each `<Allow>`/`<Deny>` is a host glob (`*.example.com`) or a CIDR / address. */
export function readDestinationRules(reader: ElementReader, element: XmlElement): DestinationRulesConfig {
  reader.expectChildren(element, ['Allow', 'Deny', 'DenyInternal'], ['DenyInternal']);
  const entries = (name: string): string[] =>
    reader.children(element, name).map((e) => {
      const text = reader.text(e).trim();
      const problem = destinationEntryProblem(text);
      if (problem !== null) throw reader.error(e, problem);
      return text;
    });
  const denyInternal = reader.child(element, 'DenyInternal');
  return {
    allow: entries('Allow'),
    deny: entries('Deny'),
    denyInternal: denyInternal === undefined ? true : reader.boolean(denyInternal),
  };
}

/** Null when `entry` is a usable destination rule (CIDR, address or host glob), else what is wrong. */
export function destinationEntryProblem(entry: string): string | null {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const address = entry.slice(0, slash);
    const bits = entry.slice(slash + 1);
    const family = isIP(address);
    if (family === 0) return `"${entry}" is not a CIDR: "${address}" is not an IPv4 or IPv6 address`;
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > max)
      return `"${entry}" is not a CIDR: the prefix length must be 0 to ${max}`;
    return null;
  }
  if (isIP(entry) !== 0) return null;
  if (!/^[A-Za-z0-9*?._-]+$/.test(entry))
    return `"${entry}" is neither a CIDR, an address nor a host pattern (letters, digits, '.', '-', '_', '*', '?')`;
  return null;
}
