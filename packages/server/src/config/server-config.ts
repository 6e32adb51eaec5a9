/**
 * Server.xml: OvenMediaEngine's configuration layout, the subset Sluice applies
 * (push-api-contract.md, "Configuration"). Wrong values stop start-up with a
 * ConfigError naming the element and line; unknown elements are warned about.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CLUSTER_NAME, readClusterConfig, type ClusterConfig } from './cluster-config.js';
import { ConfigError } from './config-error.js';
import { ElementReader, type ConfigWarning } from './element-reader.js';
import { parseXmlTree, type XmlElement } from './xml-tree.js';
import { readStreamMapFile, type StreamMapEntry } from './stream-map.js';
import { readSrtProvider, type SrtProviderConfig } from './srt-provider-config.js';
import {
  readApiLimits,
  readDestinationRules,
  readTlsFiles,
  readTlsPort,
  type ApiLimitsConfig,
  type DestinationRulesConfig,
  type TlsFilesConfig,
} from './security-config.js';
import { readAdmissionWebhooks, readSignedPolicy } from '../access/access-config.js';
import type { AdmissionWebhookConfig } from '../access/admission-webhook.js';
import type { SignedPolicyConfig } from '../access/signed-policy.js';
import { readWebhooksConfig, type WebhooksConfig } from '../webhooks/webhook-config.js';

/** Push publishing settings of one application (`<Publishers><Push>`). */
export interface PushPublisherConfig {
  /** Milliseconds to open a destination (`<ConnectionTimeout>`, default 5000). */
  connectTimeoutMs: number;
  /** Milliseconds a send may drain nothing before the session fails (`<SendTimeout>`, default 2000). */
  sendTimeoutMs: number;
  /**
   * Milliseconds a `pushing` session may send no media while its source delivers before it
   * is ended and a new one starts (`<NoMediaTimeout>`, default 5000; 0 = off). Absent in a
   * configuration built in code: the registry's default.
   */
  noMediaTimeoutMs?: number | undefined;
  /** Automatic pushes from the StreamMap file, when enabled. */
  streamMap: { path: string; entries: StreamMapEntry[] } | undefined;
  /** `<Destinations>`: where pushes may go (undefined: anywhere). */
  destinations?: DestinationRulesConfig | undefined;
  /** `<MaxPushes>`: most pushes of the application at once (undefined: no cap). */
  maxPushes?: number | undefined;
}

/** One `<Application>`. */
export interface ApplicationConfig {
  name: string;
  /** True when encoders may publish over RTMP (`<Providers><RTMP/>`, or no `<Providers>` at all). */
  rtmp: boolean;
  /** True when encoders may publish over SRT (`<Providers><SRT/>`, or no `<Providers>` at all); absent in a configuration built in code: true. */
  srt?: boolean | undefined;
  /** Undefined when the application has no `<Publishers><Push>`: push actions are refused. */
  push: PushPublisherConfig | undefined;
}

/** One `<VirtualHost>`. */
export interface VirtualHostConfig {
  name: string;
  /** `<Host><Names><Name>` patterns (`*`, `*.example.com`, exact names). */
  hostNames: string[];
  applications: ApplicationConfig[];
  /** `<AdmissionWebhooks>`: the control server asked about every publish. */
  admissionWebhooks?: AdmissionWebhookConfig | undefined;
  /** `<SignedPolicy>`: publish URLs must carry a signed policy. */
  signedPolicy?: SignedPolicyConfig | undefined;
}

/** The whole configuration. */
export interface ServerConfig {
  /** The Server.xml path, when read from a file. */
  file: string | undefined;
  /** Address to listen on (`<Server><IP>`; `*` = every interface). */
  bindAddress: string;
  apiPort: number;
  rtmpPort: number;
  accessToken: string;
  /** `<Bind><Managers><API><TLSPort>`: the API over HTTPS (undefined: no HTTPS port). */
  apiTlsPort: number | undefined;
  /** `<Bind><Providers><RTMP><TLSPort>`: RTMPS ingest (undefined: none). */
  rtmpTlsPort: number | undefined;
  /** `<Bind><Providers><SRT>`: the SRT ingest's port and options (undefined: no SRT port). */
  srt?: SrtProviderConfig | undefined;
  /** `<Managers><Host><TLS>`: the certificate of the TLS ports. */
  tls: TlsFilesConfig | undefined;
  /** `<Managers><API><AllowDefaultToken>`: the documented default token may be used on a non-loopback address. */
  allowDefaultToken: boolean;
  /** `<Managers><API><Limits>`. */
  apiLimits: ApiLimitsConfig;
  /** `<CrossDomains><Url>` patterns for CORS. */
  crossDomains: string[];
  virtualHosts: VirtualHostConfig[];
  /** `<Cluster>`: several nodes sharing one push registry on Redis; undefined = one node. */
  cluster?: ClusterConfig | undefined;
  /** `<Managers><Webhooks>`: receivers of the server's events (none when absent). */
  webhooks: WebhooksConfig;
  warnings: ConfigWarning[];
}

/** Environment variables that override values of the file. */
export interface ConfigEnvironment {
  SLUICE_API_PORT?: string | undefined;
  SLUICE_RTMP_PORT?: string | undefined;
  /** The SRT ingest's UDP port (only when Server.xml has `<Bind><Providers><SRT>`). */
  SLUICE_SRT_PORT?: string | undefined;
  SLUICE_ACCESS_TOKEN?: string | undefined;
  /** `<Cluster><NodeName>` (several processes sharing one Server.xml). */
  SLUICE_NODE_NAME?: string | undefined;
}

/** Default push timeouts (contract: 5000 ms to connect, 2000 ms of stalled sending). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_SEND_TIMEOUT_MS = 2000;
/** Default `<NoMediaTimeout>` (contract: a push never says `pushing` while nothing flows for 5 s). */
export const DEFAULT_NO_MEDIA_TIMEOUT_MS = 5000;

/** Reads and validates a Server.xml file; environment overrides apply after the file. */
export function loadServerConfig(file: string, env: ConfigEnvironment = {}): ServerConfig {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the file: ${(e as Error).message}`, file, undefined, undefined);
  }
  return applyEnvironment(parseServerConfig(xml, file), env);
}

/**
 * Parses Server.xml text. `file` names the file in errors and is the base for the
 * StreamMap path (relative to the Server.xml folder; the working folder without it).
 */
export function parseServerConfig(xml: string, file?: string): ServerConfig {
  const reader = new ElementReader(file);
  const root = parseXmlTree(xml, file);
  if (root.name !== 'Server') throw reader.error(root, 'the root element must be <Server>');
  reader.expectChildren(root, ['Name', 'IP', 'Bind', 'Managers', 'VirtualHosts', 'Cluster']);
  const baseDir = file !== undefined ? dirname(resolve(file)) : process.cwd();

  const ipElement = reader.child(root, 'IP');
  const bindAddress = ipElement === undefined ? '*' : reader.text(ipElement);

  const bind = reader.required(root, 'Bind');
  reader.expectChildren(bind, ['Managers', 'Providers']);
  const apiBind = reader.required(reader.required(bind, 'Managers'), 'API');
  reader.expectChildren(reader.required(bind, 'Managers'), ['API']);
  reader.expectChildren(apiBind, ['Port', 'TLSPort']);
  const apiPort = reader.port(reader.required(apiBind, 'Port'), true);
  const apiTlsPort = readTlsPort(reader, apiBind);
  const providers = reader.required(bind, 'Providers');
  reader.expectChildren(providers, ['RTMP', 'SRT']);
  const rtmpBind = reader.required(providers, 'RTMP');
  reader.expectChildren(rtmpBind, ['Port', 'TLSPort']);
  const rtmpPort = reader.port(reader.required(rtmpBind, 'Port'), true);
  const rtmpTlsPort = readTlsPort(reader, rtmpBind);
  const srt = readSrtProvider(reader, providers);

  const managers = reader.required(root, 'Managers');
  reader.expectChildren(managers, ['Host', 'API', 'Webhooks']);
  const webhooks = readWebhooksConfig(reader, reader.child(managers, 'Webhooks'));
  const managerHost = reader.child(managers, 'Host');
  if (managerHost !== undefined) readHostNames(reader, managerHost, ['TLS']);
  const tlsElement = managerHost === undefined ? undefined : reader.child(managerHost, 'TLS');
  const tls = tlsElement === undefined ? undefined : readTlsFiles(reader, tlsElement, baseDir);
  if (tls === undefined && (apiTlsPort !== undefined || rtmpTlsPort !== undefined))
    throw reader.error(
      managerHost ?? managers,
      'a <TLSPort> is set but there is no certificate: add <Managers><Host><TLS><CertPath>/<KeyPath>',
    );
  const api = reader.required(managers, 'API');
  reader.expectChildren(api, ['AccessToken', 'CrossDomains', 'AllowDefaultToken', 'Limits']);
  const allowDefaultElement = reader.child(api, 'AllowDefaultToken');
  const allowDefaultToken = allowDefaultElement === undefined ? false : reader.boolean(allowDefaultElement);
  const apiLimits = readApiLimits(reader, reader.child(api, 'Limits'));
  const tokenElement = reader.child(api, 'AccessToken');
  if (tokenElement === undefined)
    throw reader.error(api, 'required element <AccessToken> is missing (an empty token is never "open access")');
  if (tokenElement.text === '')
    throw reader.error(tokenElement, 'must not be empty (an empty token is never "open access")');
  const crossDomainsElement = reader.child(api, 'CrossDomains');
  const crossDomains: string[] = [];
  if (crossDomainsElement !== undefined) {
    reader.expectChildren(crossDomainsElement, ['Url'], []);
    for (const url of reader.children(crossDomainsElement, 'Url')) crossDomains.push(reader.text(url));
  }

  const virtualHostsElement = reader.required(root, 'VirtualHosts');
  reader.expectChildren(virtualHostsElement, ['VirtualHost'], []);
  const virtualHosts: VirtualHostConfig[] = [];
  for (const vhostElement of reader.children(virtualHostsElement, 'VirtualHost')) {
    const vhost = readVirtualHost(reader, vhostElement, baseDir);
    if (virtualHosts.some((v) => v.name === vhost.name))
      throw reader.error(vhostElement, `duplicate virtual host name "${vhost.name}"`);
    virtualHosts.push(vhost);
  }
  if (virtualHosts.length === 0) throw reader.error(virtualHostsElement, 'at least one <VirtualHost> is required');
  const cluster = readClusterConfig(reader, reader.child(root, 'Cluster'));

  return {
    file,
    bindAddress,
    apiPort,
    rtmpPort,
    accessToken: tokenElement.text,
    apiTlsPort,
    rtmpTlsPort,
    ...(srt === undefined ? {} : { srt }),
    tls,
    allowDefaultToken,
    apiLimits,
    crossDomains,
    virtualHosts,
    ...(cluster === undefined ? {} : { cluster }),
    webhooks,
    warnings: reader.warnings,
  };
}

function readHostNames(reader: ElementReader, host: XmlElement, also: readonly string[] = []): string[] {
  reader.expectChildren(host, ['Names', ...also]);
  const names = reader.required(host, 'Names');
  reader.expectChildren(names, ['Name'], []);
  const patterns = reader.children(names, 'Name').map((n) => reader.text(n));
  if (patterns.length === 0) throw reader.error(names, 'at least one <Name> is required');
  return patterns;
}

function readVirtualHost(reader: ElementReader, element: XmlElement, baseDir: string): VirtualHostConfig {
  reader.expectChildren(element, ['Name', 'Host', 'Applications', 'AdmissionWebhooks', 'SignedPolicy']);
  const name = reader.text(reader.required(element, 'Name'));
  if (!/^[\w.-]+$/.test(name))
    throw reader.error(
      reader.required(element, 'Name'),
      `virtual host name "${name}" may hold only letters, digits, '_', '.', '-'`,
    );
  const host = reader.child(element, 'Host');
  const hostNames = host === undefined ? ['*'] : readHostNames(reader, host);
  const applications: ApplicationConfig[] = [];
  const appsElement = reader.child(element, 'Applications');
  if (appsElement !== undefined) {
    reader.expectChildren(appsElement, ['Application'], []);
    for (const appElement of reader.children(appsElement, 'Application')) {
      const app = readApplication(reader, appElement, baseDir);
      if (applications.some((a) => a.name === app.name))
        throw reader.error(appElement, `duplicate application name "${app.name}" in virtual host "${name}"`);
      applications.push(app);
    }
  }
  const admissionWebhooks = readAdmissionWebhooks(reader, element);
  const signedPolicy = readSignedPolicy(reader, element);
  return { name, hostNames, applications, admissionWebhooks, signedPolicy };
}

function readApplication(reader: ElementReader, element: XmlElement, baseDir: string): ApplicationConfig {
  reader.expectChildren(element, ['Name', 'Type', 'Providers', 'Publishers']);
  const nameElement = reader.required(element, 'Name');
  const name = reader.text(nameElement);
  if (!/^[\w.-]+$/.test(name))
    throw reader.error(nameElement, `application name "${name}" may hold only letters, digits, '_', '.', '-'`);
  const providers = reader.child(element, 'Providers');
  let rtmp = true;
  let srt = true;
  if (providers !== undefined) {
    reader.expectChildren(providers, ['RTMP', 'SRT']);
    rtmp = reader.child(providers, 'RTMP') !== undefined;
    srt = reader.child(providers, 'SRT') !== undefined;
  }
  let push: PushPublisherConfig | undefined;
  const publishers = reader.child(element, 'Publishers');
  if (publishers !== undefined) {
    reader.expectChildren(publishers, ['Push']);
    const pushElement = reader.child(publishers, 'Push');
    if (pushElement !== undefined) push = readPush(reader, pushElement, baseDir);
  }
  return { name, rtmp, srt, push };
}

function readPush(reader: ElementReader, element: XmlElement, baseDir: string): PushPublisherConfig {
  reader.expectChildren(element, [
    'ConnectionTimeout',
    'SendTimeout',
    'NoMediaTimeout',
    'StreamMap',
    'Destinations',
    'MaxPushes',
  ]);
  const connectTimeoutMs = reader.optionalInteger(
    element,
    'ConnectionTimeout',
    100,
    600_000,
    DEFAULT_CONNECT_TIMEOUT_MS,
  );
  const sendTimeoutMs = reader.optionalInteger(element, 'SendTimeout', 100, 600_000, DEFAULT_SEND_TIMEOUT_MS);
  const noMediaTimeoutMs = reader.optionalInteger(element, 'NoMediaTimeout', 0, 3_600_000, DEFAULT_NO_MEDIA_TIMEOUT_MS);
  if (noMediaTimeoutMs > 0 && noMediaTimeoutMs < 200)
    throw reader.error(
      reader.child(element, 'NoMediaTimeout') as XmlElement,
      `must be 0 (off) or at least 200 ms, got ${noMediaTimeoutMs}`,
    );
  let streamMap: PushPublisherConfig['streamMap'];
  const mapElement = reader.child(element, 'StreamMap');
  if (mapElement !== undefined) {
    reader.expectChildren(mapElement, ['Enable', 'Path']);
    const enableElement = reader.child(mapElement, 'Enable');
    const enabled = enableElement === undefined ? true : reader.boolean(enableElement);
    if (enabled) {
      const pathElement = reader.required(mapElement, 'Path');
      const path = resolve(baseDir, reader.text(pathElement));
      let entries: StreamMapEntry[];
      try {
        entries = readStreamMapFile(path, reader.warnings);
      } catch (e) {
        if (e instanceof ConfigError && e.file === path && e.line === undefined && e.detail.startsWith('cannot read')) {
          throw reader.error(pathElement, `StreamMap file ${path}: ${e.detail}`);
        }
        throw e;
      }
      streamMap = { path, entries };
    }
  }
  const destinationsElement = reader.child(element, 'Destinations');
  const destinations =
    destinationsElement === undefined ? undefined : readDestinationRules(reader, destinationsElement);
  const maxPushesElement = reader.child(element, 'MaxPushes');
  const maxPushes = maxPushesElement === undefined ? undefined : reader.integer(maxPushesElement, 1, 1_000_000);
  return { connectTimeoutMs, sendTimeoutMs, noMediaTimeoutMs, streamMap, destinations, maxPushes };
}

/** Applies SLUICE_API_PORT, SLUICE_RTMP_PORT, SLUICE_SRT_PORT, SLUICE_ACCESS_TOKEN and SLUICE_NODE_NAME over a parsed configuration. */
export function applyEnvironment(config: ServerConfig, env: ConfigEnvironment): ServerConfig {
  const out = { ...config };
  const port = (name: 'SLUICE_API_PORT' | 'SLUICE_RTMP_PORT' | 'SLUICE_SRT_PORT'): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= 0 && value <= 65535))
      throw new ConfigError(
        `must be a port number from 0 to 65535, got "${raw}"`,
        undefined,
        `environment ${name}`,
        undefined,
      );
    return value;
  };
  out.apiPort = port('SLUICE_API_PORT') ?? out.apiPort;
  out.rtmpPort = port('SLUICE_RTMP_PORT') ?? out.rtmpPort;
  const srtPort = port('SLUICE_SRT_PORT');
  if (srtPort !== undefined && out.srt !== undefined) out.srt = { ...out.srt, port: srtPort };
  const token = env.SLUICE_ACCESS_TOKEN;
  // an empty variable counts as unset: the file's (never empty) token stays
  if (token !== undefined && token !== '') out.accessToken = token;
  const node = env.SLUICE_NODE_NAME;
  if (node !== undefined && node !== '' && out.cluster !== undefined) {
    if (!CLUSTER_NAME.test(node))
      throw new ConfigError(
        `must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), got "${node}"`,
        undefined,
        'environment SLUICE_NODE_NAME',
        undefined,
      );
    out.cluster = { ...out.cluster, nodeName: node };
  }
  return out;
}
