/**
 * Turning parsed JSON bodies of the push actions into typed inputs, field by field:
 * only known fields are read (own properties only, so `__proto__` / `constructor`
 * keys are inert), unknown fields are ignored, a wrong type is a 400 naming the
 * field, and missing required fields are listed together in field order.
 */
import type { PushProtocolInfo, StartPushInput } from '@sluice/push';
import { ApiError } from './errors.js';

/** Caps on field sizes: nothing a client sends makes the registry hold more than this. */
export const FIELD_LIMITS = {
  id: 256,
  streamName: 1024,
  protocol: 32,
  url: 4096,
  streamKey: 4096,
  tracks: 256,
  variantNames: 256,
  variantName: 256,
} as const;

type JsonObject = Record<string, unknown>;

/**
 * Validates a startPush body (`undefined` = no body) for `{vhost}/{app}`; `protocols`
 * (the server's push protocols) say which ones require a streamKey.
 */
export function parseStartPushBody(
  body: unknown,
  vhost: string,
  app: string,
  protocols: readonly PushProtocolInfo[],
): StartPushInput {
  const root = asObject(body === undefined ? {} : body, 'body');
  const id = optionalString(root, 'id', 'id', FIELD_LIMITS.id);
  const stream = Object.hasOwn(root, 'stream') ? asObject(root['stream'], 'stream') : undefined;
  const streamName =
    stream === undefined ? undefined : optionalString(stream, 'name', 'stream.name', FIELD_LIMITS.streamName);
  const tracks = stream === undefined ? undefined : optionalTrackIds(stream, 'tracks');
  const trackIds = stream === undefined ? undefined : optionalTrackIds(stream, 'trackIds');
  if (tracks !== undefined && trackIds !== undefined) {
    throw new ApiError(400, 'Conflicting parameters [stream.tracks, stream.trackIds]: give one of them');
  }
  const variantNames = stream === undefined ? undefined : optionalVariantNames(stream);
  const protocol = optionalString(root, 'protocol', 'protocol', FIELD_LIMITS.protocol);
  const url = optionalString(root, 'url', 'url', FIELD_LIMITS.url);
  const streamKey = optionalString(root, 'streamKey', 'streamKey', FIELD_LIMITS.streamKey);

  const missing: string[] = [];
  if (isBlank(streamName)) missing.push('stream.name');
  if (isBlank(protocol)) missing.push('protocol');
  if (isBlank(url)) missing.push('url');
  // streamKey is required by some protocols (rtmp: it may be empty when the key is in the url path)
  const protocolKey = protocol?.trim().toLowerCase();
  if (streamKey === undefined && protocols.some((p) => p.requiresStreamKey && p.name === protocolKey))
    missing.push('streamKey');
  if (missing.length > 0) throw missingParameters(missing);
  // Names of Object.prototype members are never protocols: refuse them here so that no
  // service looks them up in a plain object (`sinks['constructor']`).
  const protocolName = (protocol as string).trim();
  if (Object.hasOwn(Object.prototype, protocolName.toLowerCase()) || protocolName.toLowerCase() === '__proto__') {
    throw new ApiError(400, `Unsupported protocol [${protocolName}]`);
  }

  const input: StartPushInput = {
    vhost,
    app,
    stream: { name: streamName as string },
    protocol: protocol as string,
    url: url as string,
  };
  if (id !== undefined && id !== '') input.id = id;
  const selected = tracks ?? trackIds;
  if (selected !== undefined) input.stream.tracks = selected;
  if (variantNames !== undefined) input.stream.variantNames = variantNames;
  if (streamKey !== undefined) input.streamKey = streamKey;
  return input;
}

/** Validates a stopPush body: `{"id": "..."}` with id required. */
export function parseStopPushBody(body: unknown): string {
  const root = asObject(body === undefined ? {} : body, 'body');
  const id = optionalString(root, 'id', 'id', FIELD_LIMITS.id);
  if (id === undefined || id === '') throw missingParameters(['id']);
  return id;
}

/** Validates a pushes body: optional, `{"id": "..."}` filters. Returns the id filter or undefined. */
export function parsePushesBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const root = asObject(body, 'body');
  const id = optionalString(root, 'id', 'id', FIELD_LIMITS.id);
  return id === '' ? undefined : id;
}

/** The contract's 400 for missing required fields, listed in field order. */
function missingParameters(fields: readonly string[]): ApiError {
  return new ApiError(400, `There is no required parameter [${fields.join(', ')}]`);
}

function asObject(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, field === 'body' ? 'Request body must be a JSON object' : wrongType(field, 'an object'));
  }
  return value as JsonObject;
}

function optionalString(object: JsonObject, key: string, field: string, maxLength: number): string | undefined {
  if (!Object.hasOwn(object, key)) return undefined;
  const value = object[key];
  if (typeof value !== 'string') throw new ApiError(400, wrongType(field, 'a string'));
  if (value.length > maxLength)
    throw new ApiError(400, `Parameter [${field}] is too long: at most ${maxLength} characters`);
  return value;
}

function optionalTrackIds(stream: JsonObject, key: string): number[] | undefined {
  if (!Object.hasOwn(stream, key)) return undefined;
  const field = `stream.${key}`;
  const value = stream[key];
  if (!Array.isArray(value)) throw new ApiError(400, wrongType(field, 'an array of integers'));
  if (value.length > FIELD_LIMITS.tracks)
    throw new ApiError(400, `Parameter [${field}] has too many entries: at most ${FIELD_LIMITS.tracks}`);
  const ids: number[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'number' || !Number.isSafeInteger(item) || item < 0)
      throw new ApiError(400, wrongType(field, 'an array of integers'));
    ids.push(item);
  }
  return ids;
}

function optionalVariantNames(stream: JsonObject): string[] | undefined {
  if (!Object.hasOwn(stream, 'variantNames')) return undefined;
  const field = 'stream.variantNames';
  const value = stream['variantNames'];
  if (!Array.isArray(value)) throw new ApiError(400, wrongType(field, 'an array of strings'));
  if (value.length > FIELD_LIMITS.variantNames)
    throw new ApiError(400, `Parameter [${field}] has too many entries: at most ${FIELD_LIMITS.variantNames}`);
  const names: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string') throw new ApiError(400, wrongType(field, 'an array of strings'));
    if (item.length > FIELD_LIMITS.variantName)
      throw new ApiError(
        400,
        `Parameter [${field}] has an entry that is too long: at most ${FIELD_LIMITS.variantName} characters`,
      );
    names.push(item);
  }
  return names;
}

function wrongType(field: string, expected: string): string {
  return `Wrong type of parameter [${field}]: must be ${expected}`;
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}
