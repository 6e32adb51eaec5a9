/**
 * Where the access token lives between page loads: sessionStorage (this tab only,
 * gone when it closes; never localStorage, never a cookie, never the URL).
 */

const KEY = 'sluice.accessToken';

/** The stored token, or '' (also when storage is unavailable). */
export function loadToken(storage: Storage | undefined = globalThis.sessionStorage): string {
  try {
    return storage?.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

/** Stores the token ('' removes it). */
export function saveToken(token: string, storage: Storage | undefined = globalThis.sessionStorage): void {
  try {
    if (token === '') storage?.removeItem(KEY);
    else storage?.setItem(KEY, token);
  } catch {
    // storage disabled: the token lives as long as the page
  }
}
