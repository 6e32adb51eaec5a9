/**
 * The route table of the REST API: one entry per (method, path template). The
 * OpenAPI document is checked against this table by a test, so a route cannot be
 * added without being documented.
 */

/** What a route does. */
export type RouteAction =
  | 'startPush'
  | 'stopPush'
  | 'pushes'
  | 'listVhosts'
  | 'listApps'
  | 'listStreams'
  | 'getStream'
  | 'version'
  | 'openapi'
  | 'events'
  | 'vhostStats'
  | 'appStats'
  | 'streamStats'
  | 'metrics';

/** One route of the API. */
export interface RouteDefinition {
  method: 'GET' | 'POST';
  /** OpenAPI path template, e.g. `/v1/vhosts/{vhost}/apps/{app}:startPush`. */
  path: string;
  action: RouteAction;
  /** False only for the OpenAPI document. */
  auth: boolean;
}

/** Every route, in documentation order. Anything else is 404 `Controller not found`. */
export const ROUTES: readonly RouteDefinition[] = [
  { method: 'POST', path: '/v1/vhosts/{vhost}/apps/{app}:startPush', action: 'startPush', auth: true },
  { method: 'POST', path: '/v1/vhosts/{vhost}/apps/{app}:stopPush', action: 'stopPush', auth: true },
  { method: 'POST', path: '/v1/vhosts/{vhost}/apps/{app}:pushes', action: 'pushes', auth: true },
  { method: 'GET', path: '/v1/vhosts/{vhost}/apps/{app}:pushes', action: 'pushes', auth: true },
  { method: 'GET', path: '/v1/vhosts', action: 'listVhosts', auth: true },
  { method: 'GET', path: '/v1/vhosts/{vhost}/apps', action: 'listApps', auth: true },
  { method: 'GET', path: '/v1/vhosts/{vhost}/apps/{app}/streams', action: 'listStreams', auth: true },
  { method: 'GET', path: '/v1/vhosts/{vhost}/apps/{app}/streams/{stream}', action: 'getStream', auth: true },
  { method: 'GET', path: '/v1/version', action: 'version', auth: true },
  { method: 'GET', path: '/v1/openapi.json', action: 'openapi', auth: false },
  // observability: the event stream, OvenMediaEngine's stats, Prometheus (auth checked by their handlers)
  { method: 'GET', path: '/v1/events', action: 'events', auth: true },
  { method: 'GET', path: '/v1/stats/current/vhosts/{vhost}', action: 'vhostStats', auth: true },
  { method: 'GET', path: '/v1/stats/current/vhosts/{vhost}/apps/{app}', action: 'appStats', auth: true },
  {
    method: 'GET',
    path: '/v1/stats/current/vhosts/{vhost}/apps/{app}/streams/{stream}',
    action: 'streamStats',
    auth: true,
  },
  { method: 'GET', path: '/metrics', action: 'metrics', auth: true },
];

/** A request matched to a route, with its decoded path parameters. */
export interface RouteMatch {
  route: RouteDefinition;
  params: { vhost?: string; app?: string; stream?: string };
}

const ACTION_SUFFIXES: ReadonlyMap<string, RouteAction> = new Map<string, RouteAction>([
  ['startPush', 'startPush'],
  ['stopPush', 'stopPush'],
  ['pushes', 'pushes'],
]);

/**
 * Matches a method and a raw (still percent-encoded) path against ROUTES. Returns
 * null for anything else, including a segment that does not percent-decode.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch | null {
  if (rawPath === '/metrics') return method === 'GET' ? { route: routeOf('metrics'), params: {} } : null;
  const segments = rawPath.split('/');
  // segments[0] is '' (the path starts with '/'); then 'v1'
  if (segments[0] !== '' || segments[1] !== 'v1') return null;
  const rest: string[] = [];
  for (let i = 2; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    if (segment === '') return null;
    rest.push(segment);
  }
  const action = resolveAction(rest);
  if (action === null) return null;
  const route = ROUTES.find((r) => r.method === method && r.action === action.action);
  if (route === undefined) return null;
  const params: RouteMatch['params'] = {};
  try {
    if (action.vhost !== undefined) params.vhost = decodeURIComponent(action.vhost);
    if (action.app !== undefined) params.app = decodeURIComponent(action.app);
    if (action.stream !== undefined) params.stream = decodeURIComponent(action.stream);
  } catch {
    return null;
  }
  return { route, params };
}

interface RawAction {
  action: RouteAction;
  vhost?: string;
  app?: string;
  stream?: string;
}

const routeOf = (action: RouteAction): RouteDefinition => ROUTES.find((r) => r.action === action) as RouteDefinition;

/** `/v1/stats/current/vhosts/{vhost}[/apps/{app}[/streams/{stream}]]`. */
function resolveStatsAction(s: string[]): RawAction | null {
  const [stats, current, vhosts, vhost, apps, app, streams, stream] = s;
  if (stats !== 'stats' || current !== 'current' || vhosts !== 'vhosts' || vhost === undefined) return null;
  if (s.length === 4) return { action: 'vhostStats', vhost };
  if (apps !== 'apps' || app === undefined) return null;
  if (s.length === 6) return { action: 'appStats', vhost, app };
  if (s.length === 8 && streams === 'streams' && stream !== undefined)
    return { action: 'streamStats', vhost, app, stream };
  return null;
}

/** Works out the action from the segments after `/v1`. */
function resolveAction(s: string[]): RawAction | null {
  if (s[0] === 'stats') return resolveStatsAction(s);
  const [a, vhost, b, appSegment, c, stream] = s;
  switch (s.length) {
    case 1:
      if (a === 'events') return { action: 'events' };
      if (a === 'vhosts') return { action: 'listVhosts' };
      if (a === 'version') return { action: 'version' };
      if (a === 'openapi.json') return { action: 'openapi' };
      return null;
    case 3:
      return a === 'vhosts' && b === 'apps' ? { action: 'listApps', vhost: vhost ?? '' } : null;
    case 4: {
      if (a !== 'vhosts' || b !== 'apps' || appSegment === undefined) return null;
      // `{app}:action`: the action follows the last ':' of the segment
      const colon = appSegment.lastIndexOf(':');
      if (colon <= 0) return null;
      const action = ACTION_SUFFIXES.get(appSegment.slice(colon + 1));
      if (action === undefined) return null;
      return { action, vhost: vhost ?? '', app: appSegment.slice(0, colon) };
    }
    case 5:
      return a === 'vhosts' && b === 'apps' && c === 'streams'
        ? { action: 'listStreams', vhost: vhost ?? '', app: appSegment ?? '' }
        : null;
    case 6:
      return a === 'vhosts' && b === 'apps' && c === 'streams'
        ? { action: 'getStream', vhost: vhost ?? '', app: appSegment ?? '', stream: stream ?? '' }
        : null;
    default:
      return null;
  }
}
