/**
 * `sluice sign-url`: prints a SignedPolicy URL (OvenMediaEngine's format) for an encoder.
 *
 *   sluice sign-url --secret KEY --url rtmp://host/app/stream --expire 2026-12-31T00:00:00Z
 *     [--activate TIME] [--stream-expire TIME] [--allow-ip CIDR]
 *     [--policy-key policy] [--signature-key signature]
 *
 * TIME is an ISO 8601 date-time, milliseconds since the epoch, or `+N` with s/m/h/d from now.
 */
import { parseCidr } from './cidr.js';
import { signUrl, type UrlPolicy } from './url-signing.js';

/** The `sign-url --help` text. */
const SIGN_URL_USAGE = `Usage: sluice sign-url --secret KEY --url URL --expire TIME [options]

Prints URL with a signed policy (SignedPolicy of Server.xml; OvenMediaEngine's format).
The port is written out (rtmp: 1935) because the signature covers it.

  --secret KEY          <SignedPolicy><SecretKey> of the virtual host
  --url URL             rtmp://host[:port]/app/stream (a query is kept)
  --expire TIME         url_expire: the URL is refused from then on (a running publish goes on)
  --activate TIME       url_activate: the URL is refused before then
  --stream-expire TIME  stream_expire: a publish is ended then
  --allow-ip CIDR       allow_ip: only encoders from this range (IPv4 or IPv6)
  --policy-key NAME     <PolicyQueryKeyName> (default: policy)
  --signature-key NAME  <SignatureQueryKeyName> (default: signature)

TIME: ISO 8601 (2026-12-31T00:00:00Z), milliseconds since the epoch, or +N[s|m|h|d] from now.
`;

/** A `sign-url` command line that cannot be run. */
export class SignUrlUsageError extends Error {
  override readonly name = 'SignUrlUsageError';
}

const FLAGS = [
  '--secret',
  '--url',
  '--expire',
  '--activate',
  '--stream-expire',
  '--allow-ip',
  '--policy-key',
  '--signature-key',
];
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A time argument in ms since the epoch. */
export function parseTimeArgument(flag: string, text: string, now = Date.now()): number {
  const relative = /^\+(\d+)([smhd])$/.exec(text);
  if (relative !== null) return now + Number(relative[1]) * (UNITS[relative[2] ?? 's'] ?? 1000);
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(parsed))
    throw new SignUrlUsageError(`${flag} must be an ISO 8601 time, milliseconds or +N[s|m|h|d], got "${text}"`);
  return parsed;
}

/** The signed URL a `sign-url` command line asks for. */
export function signUrlFromArgs(argv: readonly string[], now = Date.now()): string {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq >= 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.includes(flag)) throw new SignUrlUsageError(`unknown option "${arg}" (see sluice sign-url --help)`);
    const value = eq >= 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new SignUrlUsageError(`${flag} needs a value`);
    if (values.has(flag)) throw new SignUrlUsageError(`${flag} is given twice`);
    values.set(flag, value);
  }
  const required = (flag: string): string => {
    const v = values.get(flag);
    if (v === undefined) throw new SignUrlUsageError(`${flag} is required (see sluice sign-url --help)`);
    return v;
  };
  const secretKey = required('--secret');
  const url = required('--url');
  const policy: UrlPolicy = { url_expire: parseTimeArgument('--expire', required('--expire'), now) };
  const activate = values.get('--activate');
  if (activate !== undefined) policy.url_activate = parseTimeArgument('--activate', activate, now);
  const streamExpire = values.get('--stream-expire');
  if (streamExpire !== undefined) policy.stream_expire = parseTimeArgument('--stream-expire', streamExpire, now);
  const allowIp = values.get('--allow-ip');
  if (allowIp !== undefined) {
    if (parseCidr(allowIp) === undefined) throw new SignUrlUsageError(`--allow-ip must be a CIDR, got "${allowIp}"`);
    policy.allow_ip = allowIp;
  }
  if (policy.url_activate !== undefined && policy.url_activate >= policy.url_expire)
    throw new SignUrlUsageError('--activate must be before --expire');
  try {
    return signUrl({
      secretKey,
      url,
      policy,
      policyKey: values.get('--policy-key') ?? 'policy',
      signatureKey: values.get('--signature-key') ?? 'signature',
    });
  } catch (e) {
    throw new SignUrlUsageError(`--url: ${(e as Error).message}`);
  }
}

/** Runs `sluice sign-url ARGS`: the URL on stdout and exit 0, or the problem on stderr and exit 2. */
export function runSignUrlCommand(
  argv: readonly string[],
  out: { write(text: string): unknown },
  err: { write(text: string): unknown },
): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(SIGN_URL_USAGE);
    return 0;
  }
  try {
    out.write(`${signUrlFromArgs(argv)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof SignUrlUsageError)) throw e;
    err.write(`sluice sign-url: ${e.message}\n`);
    return 2;
  }
}
