/**
 * CORS as configured by `CrossDomains`: `*` (any origin), exact origins
 * (`https://app.example.com`, port optional), or host patterns
 * (`*.example.com`, `http://*.example.com:8080`). An entry without a scheme
 * matches http and https. `*.example.com` matches sub-domains, not example.com.
 */
import { HttpApiConfigError } from './errors.js';

interface OriginRule {
  /** `http:` / `https:`, or null for both. */
  scheme: string | null;
  /** Lower-case host, without the leading `*.` for patterns. */
  host: string;
  wildcard: boolean;
  /** Port as written, or null for the scheme's default / any when no scheme. */
  port: string | null;
}

const ENTRY = /^(?:(https?):\/\/)?(\*\.)?([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?\/?$/i;

/** Decides which request origins may read API responses. */
export class CorsPolicy {
  private readonly any: boolean;
  private readonly rules: OriginRule[];

  /** Throws HttpApiConfigError naming the entry that cannot be understood. */
  constructor(crossDomains: readonly string[]) {
    this.any = crossDomains.some((entry) => entry.trim() === '*');
    this.rules = [];
    for (const raw of crossDomains) {
      const entry = raw.trim();
      if (entry === '*') continue;
      const match = ENTRY.exec(entry);
      if (match === null)
        throw new HttpApiConfigError('crossDomains', `crossDomains: cannot understand origin [${raw}]`);
      this.rules.push({
        scheme: match[1] === undefined ? null : `${match[1].toLowerCase()}:`,
        wildcard: match[2] !== undefined,
        host: (match[3] ?? '').toLowerCase(),
        port: match[4] ?? null,
      });
    }
  }

  /**
   * Headers to add for a request from `origin` (the `Origin` header): the
   * Access-Control-Allow-Origin value and, when it depends on the origin, `Vary: Origin`.
   */
  responseHeaders(origin: string | null): Record<string, string> {
    if (this.any) return { 'access-control-allow-origin': '*' };
    if (this.rules.length === 0) return {};
    if (origin !== null && this.allows(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin' };
    return { vary: 'Origin' };
  }

  /** True when `origin` matches a configured rule. */
  allows(origin: string): boolean {
    if (this.any) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const host = url.hostname.toLowerCase();
    for (const rule of this.rules) {
      if (rule.scheme !== null && rule.scheme !== url.protocol) continue;
      if (rule.wildcard ? !host.endsWith(`.${rule.host}`) : host !== rule.host) continue;
      if (
        rule.port !== null
          ? url.port !== normalisePort(rule.port, url.protocol)
          : rule.scheme !== null && url.port !== ''
      )
        continue;
      return true;
    }
    return false;
  }
}

/** URL.port is '' for the scheme's default port. */
function normalisePort(port: string, protocol: string): string {
  const n = String(Number(port));
  if ((protocol === 'http:' && n === '80') || (protocol === 'https:' && n === '443')) return '';
  return n;
}
