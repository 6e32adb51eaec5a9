/**
 * Server.xml elements of publish access control, per `<VirtualHost>` (OvenMediaEngine's
 * names): `<AdmissionWebhooks>` and `<SignedPolicy>`. Wrong values stop start-up with a
 * ConfigError naming the element and line. `<Enables><Publishers>` (playback) is accepted
 * and has no effect (Sluice plays nothing out); without `<Enables>` a feature applies to
 * every ingest protocol (failing closed rather than open).
 */
import type { ElementReader } from '../config/element-reader.js';
import type { XmlElement } from '../config/xml-tree.js';
import type { AdmissionWebhookConfig } from './admission-webhook.js';
import type { SignedPolicyConfig } from './signed-policy.js';

/** Provider names of OvenMediaEngine that Sluice accepts in `<Providers>` (those it lacks never publish). */
const KNOWN_PROVIDERS = new Set([
  'rtmp',
  'srt',
  'webrtc',
  'rtsp',
  'rtspc',
  'ovt',
  'mpegts',
  'file',
  'scheduled',
  'multiplex',
]);

/** Default `<Timeout>` of AdmissionWebhooks, ms. */
const DEFAULT_WEBHOOK_TIMEOUT_MS = 3000;

/** Reads `<AdmissionWebhooks>` of a virtual host (undefined when absent). */
export function readAdmissionWebhooks(reader: ElementReader, vhost: XmlElement): AdmissionWebhookConfig | undefined {
  const element = reader.child(vhost, 'AdmissionWebhooks');
  if (element === undefined) return undefined;
  reader.expectChildren(element, ['ControlServerUrl', 'SecretKey', 'Timeout', 'Enables']);
  const urlElement = reader.required(element, 'ControlServerUrl');
  const controlServerUrl = reader.text(urlElement);
  let parsed: URL | undefined;
  try {
    parsed = new URL(controlServerUrl);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw reader.error(urlElement, `must be an http:// or https:// URL, got "${controlServerUrl}"`);
  return {
    controlServerUrl,
    secretKey: reader.text(reader.required(element, 'SecretKey')),
    timeoutMs: reader.optionalInteger(element, 'Timeout', 100, 120_000, DEFAULT_WEBHOOK_TIMEOUT_MS),
    providers: readEnables(reader, element),
  };
}

/** Reads `<SignedPolicy>` of a virtual host (undefined when absent). */
export function readSignedPolicy(reader: ElementReader, vhost: XmlElement): SignedPolicyConfig | undefined {
  const element = reader.child(vhost, 'SignedPolicy');
  if (element === undefined) return undefined;
  reader.expectChildren(element, ['PolicyQueryKeyName', 'SignatureQueryKeyName', 'SecretKey', 'Enables']);
  const key = (name: string, fallback: string): string => {
    const found = reader.child(element, name);
    if (found === undefined) return fallback;
    const value = reader.text(found);
    if (!/^[\w.~-]+$/.test(value))
      throw reader.error(found, `must be a query key (letters, digits, '_', '.', '~', '-'), got "${value}"`);
    return value;
  };
  const policyKey = key('PolicyQueryKeyName', 'policy');
  const signatureKey = key('SignatureQueryKeyName', 'signature');
  if (policyKey === signatureKey)
    throw reader.error(element, `<PolicyQueryKeyName> and <SignatureQueryKeyName> must differ (both "${policyKey}")`);
  return {
    policyKey,
    signatureKey,
    secretKey: reader.text(reader.required(element, 'SecretKey')),
    providers: readEnables(reader, element),
  };
}

/**
 * Whether a feature whose `<Enables><Providers>` gave `providers` applies to an ingest of
 * `protocol`; `undefined` (no `<Enables>`): to every ingest protocol, also one added later.
 */
export function appliesTo(providers: readonly string[] | undefined, protocol: string): boolean {
  return providers === undefined || providers.includes(protocol);
}

/** `<Enables><Providers>rtmp,srt</Providers>`: the protocols a feature applies to; no `<Enables>`: undefined (every one). */
function readEnables(reader: ElementReader, feature: XmlElement): string[] | undefined {
  const enables = reader.child(feature, 'Enables');
  if (enables === undefined) return undefined;
  reader.expectChildren(enables, ['Providers', 'Publishers']);
  const providers = reader.child(enables, 'Providers');
  if (providers === undefined) return [];
  const names = providers.text
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
  for (const name of names)
    if (!KNOWN_PROVIDERS.has(name))
      throw reader.error(providers, `unknown provider "${name}" (not a provider name of OvenMediaEngine)`);
  return names;
}
