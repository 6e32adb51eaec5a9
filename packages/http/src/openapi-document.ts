/**
 * The OpenAPI 3.1 description of the whole REST API, served at `/v1/openapi.json`.
 * A test checks it against ROUTES and validates real push records against
 * `components.schemas.PushRecord`.
 */
import type { PushProtocolInfo } from '@sluice/push';
import { commonErrors, error, integer, ok, pathParameter, ref, time, envelope, type Schema } from './openapi-parts.js';
import { FIELD_LIMITS } from './push-request.js';
import { observabilityPaths, observabilitySchemas } from './routes/observe-openapi.js';

const vhostParameter = pathParameter('vhost', 'Name of the VirtualHost');
const appParameter = pathParameter('app', 'Name of the Application');

const appErrors: Schema = {
  ...commonErrors,
  '404': error(
    '`Could not find the virtual host: [{vhost}] (404)`, `Could not find the application: [{vhost}/{app}] (404)` or `Push is not enabled for the application: [{vhost}/{app}] (404)`.',
  ),
};
const bodyErrors: Schema = {
  '400': error(
    'Body not JSON, not an object, or a field of the wrong type (the message names the field); or a missing required field / push error as listed in the operation.',
  ),
  '413': error('Body larger than the configured limit.'),
  '415': error('Content-Type is not JSON and the body does not parse as JSON.'),
};

const registryErrors: Schema = {
  '503': error(
    'Several nodes (`<Server><Cluster>`): the shared push registry (Redis) cannot be reached, nothing was changed; the message says why, e.g. `Push registry unavailable: cannot list the pushes: Redis at 10.0.0.5:6379/0: not connected (...) (503)`. Pushes already running keep running; retry later.',
  ),
};

function jsonBody(schema: Schema, required: boolean): Schema {
  return { required, content: { 'application/json': { schema } } };
}

function pushAction(
  operationId: string,
  summary: string,
  description: string,
  body: Schema | null,
  responses: Schema,
): Schema {
  const operation: Schema = {
    operationId,
    summary,
    description,
    parameters: [vhostParameter, appParameter],
    responses: { ...responses, ...appErrors, ...(body === null ? {} : bodyErrors), ...registryErrors },
  };
  if (body !== null) operation['requestBody'] = body;
  return operation;
}

const pushesResponses: Schema = {
  '200': ok('Records of the application, sorted by id.', { type: 'array', items: ref('PushRecord') }),
  '204': { description: 'No pushes (or none matching the id): no body.' },
};

/**
 * Builds the document; `version` is the server's, `maxBodyBytes` the configured limit,
 * `protocols` the server's push protocols (their names, url forms and streamKey use).
 */
export function buildOpenApiDocument(
  version: string,
  maxBodyBytes: number,
  protocols: readonly PushProtocolInfo[],
): Schema {
  const names = protocols.map((p) => `\`${p.name}\``).join(' or ');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice REST API',
      version,
      description: `OvenMediaEngine-compatible Push API. Every JSON response is the envelope {"statusCode","message","response"}; error messages end with " (N)". Request bodies are JSON, at most ${maxBodyBytes} bytes; unknown fields are ignored. Byte counts in push records are bytes on the wire (container and protocol overhead included); sentTime/totalsentTime are milliseconds.`,
    },
    security: [{ accessToken: [] }],
    paths: {
      '/v1/vhosts/{vhost}/apps/{app}:startPush': {
        post: pushAction(
          'startPush',
          'Start a push',
          `Starts pushing a stream of the application to a destination of a push protocol (${names}). The stream need not exist yet: the push waits in state \`ready\`. 400 messages: \`There is no required parameter [stream.name, url] (400)\` (every missing field, in field order), \`Unsupported protocol [hls] (400)\`, \`Invalid URL [..] for protocol [srt]: {reason} (400)\` (secret query values such as passphrase shown as [redacted]), \`Unknown track id [7] in stream [name] (400)\`, \`Duplicate ID already exists [{id}] (400)\`.`,
          jsonBody(ref('StartPushRequest'), true),
          {
            '200': ok('The new push record.', { type: 'array', items: ref('PushRecord'), minItems: 1, maxItems: 1 }),
            '409': error(
              'The application already holds as many pushes as its `<MaxPushes>` allows: `The application [{vhost}/{app}] already has N pushes, the most its MaxPushes allows (409)`. StreamMap pushes count toward the cap but are never refused.',
            ),
          },
        ),
      },
      '/v1/vhosts/{vhost}/apps/{app}:stopPush': {
        post: pushAction(
          'stopPush',
          'Stop a push',
          'Stops a push; the record leaves the list once torn down. Missing id: `There is no required parameter [id] (400)`.',
          jsonBody(ref('StopPushRequest'), true),
          {
            '200': ok('The record at that moment (state `stopping` or `stopped`).', {
              type: 'array',
              items: ref('PushRecord'),
              minItems: 1,
              maxItems: 1,
            }),
            '404': error('`There is no push information related to the ID [{id}] (404)`, or an unknown vhost/app.'),
          },
        ),
      },
      '/v1/vhosts/{vhost}/apps/{app}:pushes': {
        post: pushAction(
          'listPushes',
          'List pushes',
          'Lists the pushes of the application; `{"id": "..."}` filters to one.',
          jsonBody(ref('PushesRequest'), false),
          pushesResponses,
        ),
        get: {
          ...pushAction(
            'listPushesGet',
            'List pushes (GET)',
            'As the POST form; `?id=` filters to one.',
            null,
            pushesResponses,
          ),
          parameters: [
            vhostParameter,
            appParameter,
            { name: 'id', in: 'query', required: false, schema: { type: 'string' } },
          ],
        },
      },
      '/v1/vhosts': {
        get: {
          operationId: 'listVhosts',
          summary: 'Names of the virtual hosts',
          responses: { '200': ok('Names.', { type: 'array', items: { type: 'string' } }), ...commonErrors },
        },
      },
      '/v1/vhosts/{vhost}/apps': {
        get: {
          operationId: 'listApps',
          summary: 'Names of the applications of a virtual host',
          parameters: [vhostParameter],
          responses: {
            '200': ok('Names.', { type: 'array', items: { type: 'string' } }),
            ...commonErrors,
            '404': error('`Could not find the virtual host: [{vhost}] (404)`.'),
          },
        },
      },
      '/v1/vhosts/{vhost}/apps/{app}/streams': {
        get: {
          operationId: 'listStreams',
          summary: 'Names of the live streams of an application',
          parameters: [vhostParameter, appParameter],
          responses: {
            '200': ok('Names.', { type: 'array', items: { type: 'string' } }),
            ...commonErrors,
            '404': error('Unknown vhost or app.'),
          },
        },
      },
      '/v1/vhosts/{vhost}/apps/{app}/streams/{stream}': {
        get: {
          operationId: 'getStream',
          summary: 'A live stream with its tracks (to pick `stream.tracks`)',
          parameters: [vhostParameter, appParameter, pathParameter('stream', 'Name of the stream')],
          responses: {
            '200': ok('The stream.', ref('Stream')),
            ...commonErrors,
            '404': error('Unknown vhost or app, or `Could not find the stream: [{vhost}/{app}/{stream}] (404)`.'),
          },
        },
      },
      '/v1/version': {
        get: {
          operationId: 'version',
          summary: 'Server version',
          responses: {
            '200': ok('The version.', {
              type: 'object',
              required: ['version'],
              properties: { version: { type: 'string' } },
            }),
            ...commonErrors,
          },
        },
      },
      '/v1/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document (no authorization)',
          security: [],
          responses: {
            '200': {
              description: 'OpenAPI 3.1 document.',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
      ...observabilityPaths(),
    },
    components: {
      securitySchemes: {
        accessToken: {
          type: 'http',
          scheme: 'basic',
          description:
            '`Authorization: Basic base64(AccessToken)` — the whole token is base64-encoded (not user:password). The scheme word is case-insensitive.',
        },
      },
      schemas: {
        ErrorEnvelope: envelope(),
        StartPushRequest: {
          type: 'object',
          required: ['stream', 'protocol', 'url'],
          properties: {
            id: { type: 'string', maxLength: FIELD_LIMITS.id, description: 'Absent or empty: generated and returned.' },
            stream: {
              type: 'object',
              required: ['name'],
              properties: {
                name: { type: 'string', maxLength: FIELD_LIMITS.streamName },
                tracks: {
                  type: 'array',
                  maxItems: FIELD_LIMITS.tracks,
                  items: integer,
                  description: 'Track ids; absent or empty = all pushable tracks.',
                },
                trackIds: {
                  type: 'array',
                  maxItems: FIELD_LIMITS.tracks,
                  items: integer,
                  description: 'Alias of tracks (give one of them).',
                },
                variantNames: {
                  type: 'array',
                  maxItems: FIELD_LIMITS.variantNames,
                  items: { type: 'string', maxLength: FIELD_LIMITS.variantName },
                  description: 'Selects tracks by variant name.',
                },
              },
            },
            protocol: { type: 'string', description: `${names}, case-insensitive.` },
            url: {
              type: 'string',
              maxLength: FIELD_LIMITS.url,
              description: `${protocols.map((p) => `${p.urlForms} for ${p.name}`).join('; ')}. Trailing \`/\` trimmed.`,
            },
            streamKey: {
              type: 'string',
              maxLength: FIELD_LIMITS.streamKey,
              description: protocols.map((p) => `${p.name}: ${p.streamKeyUse}`).join(' '),
            },
          },
        },
        StopPushRequest: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', maxLength: FIELD_LIMITS.id } },
        },
        PushesRequest: {
          type: 'object',
          properties: { id: { type: 'string', maxLength: FIELD_LIMITS.id, description: 'Filters to this id.' } },
        },
        PushRecord: {
          type: 'object',
          required: [
            'id',
            'vhost',
            'app',
            'stream',
            'protocol',
            'url',
            'streamKey',
            'state',
            'sequence',
            'sentBytes',
            'sentTime',
            'totalsentBytes',
            'totalsentTime',
            'createdTime',
            'startTime',
            'finishTime',
          ],
          properties: {
            id: { type: 'string' },
            vhost: { type: 'string' },
            app: { type: 'string' },
            stream: {
              type: 'object',
              required: ['name', 'tracks'],
              properties: {
                name: { type: 'string' },
                tracks: { type: 'array', items: integer, description: 'Track ids actually pushed.' },
                variantNames: { type: 'array', items: { type: 'string' } },
              },
            },
            protocol: { type: 'string', enum: protocols.map((p) => p.name) },
            url: { type: 'string' },
            streamKey: { type: 'string' },
            state: { type: 'string', enum: ['ready', 'connecting', 'pushing', 'stopping', 'stopped', 'error'] },
            sequence: { ...integer, description: 'Sessions completed so far (each reconnect ends one).' },
            sentBytes: {
              ...integer,
              description:
                'Bytes of the current connection that the kernel accepted (handed to the network; container and protocol overhead included, bytes still queued in the socket not counted), the same for every protocol.',
            },
            sentTime: { ...integer, description: 'Milliseconds the current session has been pushing.' },
            totalsentBytes: {
              ...integer,
              description: 'sentBytes summed over all connections of the push, current included.',
            },
            totalsentTime: { ...integer, description: 'Milliseconds over all sessions.' },
            createdTime: time,
            startTime: time,
            finishTime: time,
            isConfig: { type: 'boolean', description: 'True for pushes from the StreamMap file.' },
            lastError: { type: 'string' },
            reconnectIn: { ...integer, description: 'Milliseconds until the next connection attempt.' },
            droppedFrames: {
              ...integer,
              description:
                'Frames dropped (whole GOPs) because the destination was slower than the stream, over all sessions.',
            },
            bitrate: { ...integer, description: 'Bits per second sent over the last ~5 s (bytes on the wire).' },
            discontinuities: {
              ...integer,
              description:
                "Jumps in the source's timestamps this push's sessions went through; each was absorbed (the output timeline stays continuous).",
            },
            retransmittedPackets: {
              ...integer,
              description:
                'Protocols that recover losses (srt): data packets sent again because the receiver reported them lost or did not acknowledge them, over all sessions.',
            },
            retransmittedBytes: {
              ...integer,
              description:
                'Bytes of those retransmissions on the wire (SRT header and payload), over all sessions; they are part of totalsentBytes.',
            },
            lostPackets: {
              ...integer,
              description: 'srt: data packets the receiver reported lost (NAK), over all sessions.',
            },
            droppedPackets: {
              ...integer,
              description:
                'srt: data packets given up unacknowledged because they were too late to be played (too-late drop), over all sessions.',
            },
            skippedTracks: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'codec', 'reason'],
                properties: { id: integer, codec: { type: 'string' }, reason: { type: 'string' } },
              },
            },
          },
        },
        Stream: {
          type: 'object',
          required: ['name', 'tracks'],
          properties: {
            name: { type: 'string' },
            sourceType: { type: 'string' },
            createdTime: time,
            discontinuities: {
              ...integer,
              description: "Jumps in the source's timestamps absorbed since the stream started.",
            },
            tracks: { type: 'array', items: ref('Track') },
          },
        },
        Track: {
          type: 'object',
          required: ['id', 'type', 'codec'],
          properties: {
            id: integer,
            type: { type: 'string', enum: ['video', 'audio', 'data'] },
            codec: { type: 'string' },
            name: { type: 'string', description: 'Variant name.' },
            width: integer,
            height: integer,
            framerate: { type: 'number' },
            bitrate: { ...integer, description: 'Bits per second.' },
            samplerate: integer,
            channels: integer,
          },
        },
        ...observabilitySchemas(),
      },
    },
  };
}
