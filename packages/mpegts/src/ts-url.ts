/**
 * Destination URLs of the senders: `udp://host:port[?pkt_size=N&ttl=N&bitrate=N&burst_bits=N]`
 * and `tcp://host:port`. `bitrate` (bit/s) and `burst_bits` (bits) are ffmpeg's udp
 * options and set the pacer's burst rate and bucket (see TsPacing).
 */
import { TsSenderError } from './errors.js';

/** A parsed sender destination. */
export interface TsDestination {
  protocol: 'udp' | 'tcp';
  /** Host name or address (IPv6 without brackets). */
  host: string;
  port: number;
  /** udp: datagram size from `pkt_size` (a multiple of 188), else 1316. */
  packetSize: number;
  /** udp: `ttl` query (1..255), when given. */
  ttl: number | undefined;
  /** udp: `bitrate` query, bit/s (the pacer's burst rate), when given. */
  bitrate?: number | undefined;
  /** udp: `burst_bits` query, bits (the pacer's bucket), when given. */
  burstBits?: number | undefined;
}

/** Largest `bitrate` / `burst_bits` accepted (10 Gbit/s, 1 Gbit). */
const MAX_BITRATE = 10_000_000_000;
const MAX_BURST_BITS = 1_000_000_000;

function positiveQuery(url: string, u: URL, name: string, max: number): number | undefined {
  const v = u.searchParams.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > max)
    throw new TsSenderError('url', `Invalid URL [${url}]: ${name} must be an integer from 1 to ${max}, got ${v}`);
  return n;
}

/** Default datagram size: 7 transport packets. */
export const DEFAULT_UDP_PACKET_SIZE = 1316;
/** Largest datagram: 348 packets fit a 65507-byte UDP payload. */
const MAX_UDP_PACKET_SIZE = 188 * 348;

/** Parses a sender URL; throws TsSenderError('url') with the reason. */
export function parseTsUrl(url: string): TsDestination {
  if (typeof url !== 'string') throw new TsSenderError('url', 'url must be a string');
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new TsSenderError('url', `Invalid URL [${url}]`);
  }
  const protocol = u.protocol === 'udp:' ? 'udp' : u.protocol === 'tcp:' ? 'tcp' : undefined;
  if (protocol === undefined) throw new TsSenderError('url', `Invalid URL [${url}]: scheme must be udp or tcp`);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (host === '') throw new TsSenderError('url', `Invalid URL [${url}]: no host`);
  const port = Number(u.port);
  if (u.port === '' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new TsSenderError('url', `Invalid URL [${url}]: a port 1..65535 is required`);
  let packetSize = DEFAULT_UDP_PACKET_SIZE;
  let ttl: number | undefined;
  let bitrate: number | undefined;
  let burstBits: number | undefined;
  if (protocol === 'udp') {
    bitrate = positiveQuery(url, u, 'bitrate', MAX_BITRATE);
    burstBits = positiveQuery(url, u, 'burst_bits', MAX_BURST_BITS);
    const size = u.searchParams.get('pkt_size');
    if (size !== null) {
      packetSize = Number(size);
      if (
        !Number.isInteger(packetSize) ||
        packetSize < 188 ||
        packetSize % 188 !== 0 ||
        packetSize > MAX_UDP_PACKET_SIZE
      ) {
        throw new TsSenderError(
          'url',
          `Invalid URL [${url}]: pkt_size must be a multiple of 188 from 188 to ${MAX_UDP_PACKET_SIZE}, got ${size}`,
        );
      }
    }
    const t = u.searchParams.get('ttl');
    if (t !== null) {
      ttl = Number(t);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255)
        throw new TsSenderError('url', `Invalid URL [${url}]: ttl must be 1..255, got ${t}`);
    }
  }
  return { protocol, host, port, packetSize, ttl, bitrate, burstBits };
}

/** Null when `url` is a valid udp:// or tcp:// destination, else the reason (for push sink factories). */
export function checkTsUrl(url: string): string | null {
  try {
    parseTsUrl(url);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** True for IPv4 224.0.0.0/4 and IPv6 ff00::/8 addresses. */
export function isMulticastAddress(address: string): boolean {
  if (address.includes(':')) return address.toLowerCase().startsWith('ff');
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}
