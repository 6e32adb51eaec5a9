/** The OpenAPI text of the observability routes: the event stream, OvenMediaEngine's stats, Prometheus. */
import { commonErrors, error, integer, ok, pathParameter, ref, time, type Schema } from '../openapi-parts.js';

const vhost = pathParameter('vhost', 'Name of the VirtualHost');
const app = pathParameter('app', 'Name of the Application');
const stream = pathParameter('stream', 'Name of the stream');

const EVENTS_DESCRIPTION = [
  'Server-Sent Events (`text/event-stream`). Each event has `id: {run}-{n}`, `event: {type}` and one `data` line of JSON with `type` and `time`:',
  '`push.created`, `push.state` (`push`: the whole record, `from`, `to`, `error`?), `push.removed` (`push`),',
  '`stream.published` (`stream`: vhost, app, name, sourceType, tracks, createdTime), `stream.ended` (`stream`: vhost, app, name, bytesIn, packetsIn),',
  '`publish.refused` (vhost, app, stream, protocol, reason, remote); every 2 s while someone reads, `stats` without an id',
  '(`pushes`: id, vhost, app, state, sentBytes, totalsentBytes, sentTime, bitrate, droppedFrames, sequence; `streams`: vhost, app, name, bytesIn, bitrate).',
  'A `Last-Event-ID` header (or `?lastEventId=`) replays the events after it from a bounded history; when that position is lost (too old, or an earlier run of the server)',
  'the stream starts with `reset` (id: the current position): reload the state through the REST API. A `: heartbeat` comment every 15 s;',
  'a reader that lets more than 1 MiB pile up unread is disconnected. Authorization: the Basic header, or `?token={AccessToken}` for EventSource,',
  'which cannot set headers — a token in a URL can end up in proxy logs and browser history, so prefer the header (fetch) where you can.',
].join(' ');

function statsOperation(operationId: string, summary: string, parameters: Schema[], notFound: string): Schema {
  return {
    get: {
      operationId,
      summary,
      parameters,
      responses: {
        '200': ok('The statistics.', ref('Stats')),
        ...commonErrors,
        '404': error(notFound),
        '503': error(
          'Several nodes (`<Server><Cluster>`): the figures the other nodes publish (in Redis) cannot be read; the message says why, e.g. `Push registry unavailable: cannot read the stats of the cluster: Redis at 10.0.0.5:6379/0: not connected (...) (503)`.',
        ),
      },
    },
  };
}

/** Paths of the observability routes. */
export function observabilityPaths(): Schema {
  return {
    '/v1/events': {
      get: {
        operationId: 'events',
        summary: 'The server events as Server-Sent Events',
        description: EVENTS_DESCRIPTION,
        parameters: [
          {
            name: 'token',
            in: 'query',
            required: false,
            schema: { type: 'string' },
            description: 'The access token (EventSource).',
          },
          { name: 'lastEventId', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'The event stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...commonErrors,
        },
      },
    },
    '/v1/stats/current/vhosts/{vhost}': statsOperation(
      'vhostStats',
      'Statistics of a virtual host (OvenMediaEngine format)',
      [vhost],
      '`Could not find the virtual host: [{vhost}] (404)`.',
    ),
    '/v1/stats/current/vhosts/{vhost}/apps/{app}': statsOperation(
      'appStats',
      'Statistics of an application',
      [vhost, app],
      '`Could not find the virtual host: [{vhost}] (404)` or `Could not find the application: [{vhost}/{app}] (404)`.',
    ),
    '/v1/stats/current/vhosts/{vhost}/apps/{app}/streams/{stream}': statsOperation(
      'streamStats',
      'Statistics of a live stream (its current publication)',
      [vhost, app, stream],
      'Unknown vhost or app, or `Could not find the stream: [{vhost}/{app}/{stream}] (404)`.',
    ),
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        description:
          'Read at scrape time. Prometheus: `authorization: {type: Basic, credentials: base64(AccessToken)}`. Series: sluice_push_* per push (labels vhost, app, stream, id, protocol), sluice_stream_* per live stream, sluice_ingest_connections, sluice_publish_refusals_total, sluice_api_requests_total, sluice_webhook_*, sluice_events_*, and the process metrics.',
        responses: {
          '200': { description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...commonErrors,
        },
      },
    },
  };
}

/** Schemas of the observability routes. */
export function observabilitySchemas(): Schema {
  return {
    Stats: {
      type: 'object',
      required: [
        'createdTime',
        'lastUpdatedTime',
        'totalBytesIn',
        'totalBytesOut',
        'totalConnections',
        'maxTotalConnections',
        'maxTotalConnectionTime',
        'lastRecvTime',
        'lastSentTime',
        'connections',
      ],
      properties: {
        createdTime: time,
        lastUpdatedTime: time,
        totalBytesIn: { ...integer, description: 'Bytes received at the ingest sockets.' },
        totalBytesOut: { ...integer, description: 'Bytes the kernel accepted on the push sockets.' },
        totalConnections: { ...integer, description: 'Connections now (the sum of `connections`).' },
        maxTotalConnections: integer,
        maxTotalConnectionTime: time,
        lastRecvTime: time,
        lastSentTime: time,
        connections: {
          type: 'object',
          description: '`push`: running pushes; one entry per ingest protocol (`rtmp`, `srt`, ...): publishers.',
          required: ['push'],
          additionalProperties: integer,
          properties: { push: integer, rtmp: integer, rtmps: integer, srt: integer },
        },
      },
    },
  };
}
