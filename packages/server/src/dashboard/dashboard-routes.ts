/**
 * The dashboard's routes on the API port(s). They are the one public exception (with
 * OPTIONS and `/v1/openapi.json`) to "every route needs the token": the files hold no
 * data, and every API call the page makes carries the token. Listed here so that a
 * test enumerating the routes of the API port finds them with `auth: false`.
 */

/** Where the dashboard is mounted. */
export const DASHBOARD_PATH = '/dashboard';

/** One route of the dashboard. */
export interface DashboardRoute {
  method: 'GET' | 'HEAD';
  /** Path template; `{file}` is a file name of the built dashboard (no folders). */
  path: string;
  /** Always false: served without the token. */
  auth: false;
  description: string;
}

/** The dashboard's routes; anything else under /dashboard/ is 404, other methods 405. */
export const DASHBOARD_ROUTES: readonly DashboardRoute[] = [
  { method: 'GET', path: DASHBOARD_PATH, auth: false, description: 'Redirects (308) to /dashboard/' },
  { method: 'HEAD', path: DASHBOARD_PATH, auth: false, description: 'Redirects (308) to /dashboard/' },
  { method: 'GET', path: `${DASHBOARD_PATH}/`, auth: false, description: 'The page (index.html)' },
  { method: 'HEAD', path: `${DASHBOARD_PATH}/`, auth: false, description: 'The page (index.html)' },
  { method: 'GET', path: `${DASHBOARD_PATH}/{file}`, auth: false, description: 'A built file: script, style sheet' },
  { method: 'HEAD', path: `${DASHBOARD_PATH}/{file}`, auth: false, description: 'A built file: script, style sheet' },
];

/**
 * Headers of every dashboard answer: scripts and styles from the page's origin only,
 * no inline code, no framing, API calls to the same origin, no referrer, no sniffing.
 */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
