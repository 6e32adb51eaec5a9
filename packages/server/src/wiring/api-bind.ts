/**
 * Safe default for the API's address: the shipped Server.xml carries the documented
 * token `ome-access-token`, which anyone who has read the README knows. With that
 * token the API listens on loopback only unless the operator opts in explicitly
 * (`<Managers><API><AllowDefaultToken>true` or `--allow-default-token`).
 */
import { isIP } from 'node:net';

/** The access token of the shipped Server.xml and of OvenMediaEngine's documentation. */
export const DEFAULT_ACCESS_TOKEN = 'ome-access-token';

/** Where the API listens with the default token when not opted in. */
const DEFAULT_TOKEN_API_HOST = '127.0.0.1';

/** True for `localhost`, 127.0.0.0/8, ::1 and ::ffff:127.x addresses. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}

/** The API's address, and the start-up warning when the default token moved it to loopback. */
export function apiBindAddress(
  requested: string | undefined,
  token: string,
  allowDefaultToken: boolean,
): { host: string | undefined; warning: string | undefined } {
  if (token !== DEFAULT_ACCESS_TOKEN || allowDefaultToken) return { host: requested, warning: undefined };
  if (requested !== undefined && isLoopbackHost(requested)) return { host: requested, warning: undefined };
  return {
    host: DEFAULT_TOKEN_API_HOST,
    warning:
      `the API uses the documented default access token "${DEFAULT_ACCESS_TOKEN}": it listens on ` +
      `${DEFAULT_TOKEN_API_HOST} only (asked: ${requested ?? '*'}). Set <Managers><API><AccessToken> ` +
      '(or SLUICE_ACCESS_TOKEN) to a secret of your own to serve it on other addresses, or opt in with ' +
      '<AllowDefaultToken>true</AllowDefaultToken> or --allow-default-token',
  };
}
