/**
 * The stream ID a caller sends, read as the stream it names. Three forms, each raw or
 * percent-encoded (one level of encoding is undone when the raw text is no known form):
 *
 * - `{vhost}/{app}/{stream}[?query]`: the virtual host by name;
 * - `srt://{host}[:port]/{app}/{stream}[?query]` (OvenMediaEngine's form): the virtual host
 *   is the one serving `host`;
 * - `#!::r={app}/{stream}[?query],m=publish[,h=host][,u=user]` (libsrt's access-control
 *   syntax): `r` may also be `{vhost}/{app}/{stream}`; `m` is `request` when absent, as the
 *   access-control guidelines say.
 *
 * The query (`policy=..&signature=..` of SignedPolicy) stays as written. Anything else is
 * an SrtStreamIdError carrying the stream ID (at most 512 characters are read).
 */
import { CodedError } from '@sluice/media';

/** What the caller means to do (the access-control `m` key; the other forms publish). */
export type SrtStreamMode = 'publish' | 'request' | 'bidirectional';

/** The stream a stream ID names. */
export interface SrtStreamTarget {
  form: 'path' | 'url' | 'access-control';
  /** The virtual host by name (`path` form, or `r` with three parts). */
  vhost?: string;
  /** The host the caller names (`url` form, or the access-control `h` key), without a port. */
  host?: string;
  /** The port of the `url` form, when written. */
  port?: number;
  app: string;
  /** The stream name without its query. */
  stream: string;
  /** The query of the stream name without `?` ('' when none). */
  query: string;
  mode: SrtStreamMode;
  /** The access-control `u` key. */
  user?: string;
  /** The `url` form as decoded: the URL the encoder was given (what SignedPolicy signs). */
  url?: string;
}

/** Why a stream ID names no stream. */
export type SrtStreamIdErrorCode =
  | 'empty' // no stream ID at all
  | 'too-long' // longer than 512 characters
  | 'encoding' // a bad percent escape
  | 'form' // none of the forms
  | 'mode'; // an access-control `m` value that is not request, publish or bidirectional

/** A stream ID that names no stream: the code, what was wrong, and the peer's words. */
export class SrtStreamIdError extends CodedError<SrtStreamIdErrorCode> {
  constructor(
    code: SrtStreamIdErrorCode,
    message: string,
    readonly streamId: string,
  ) {
    super('SrtStreamIdError', code, message);
  }
}

/** The longest stream ID SRT carries. */
export const MAX_STREAM_ID_LENGTH = 512;

const ACCESS_CONTROL_PREFIX = '#!::';
const MODES: readonly string[] = ['publish', 'request', 'bidirectional'];
const URL_FORM = /^srt:\/\/(\[[0-9a-fA-F:.]+\]|[^/?#:[\]@]+)(?::(\d{1,5}))?\/([^?]*)(?:\?(.*))?$/is;

/** Reads a stream ID; throws SrtStreamIdError when it names no stream. */
export function parseSrtStreamId(streamId: string): SrtStreamTarget {
  if (streamId === '') throw new SrtStreamIdError('empty', 'the caller sent no stream ID', streamId);
  if (streamId.length > MAX_STREAM_ID_LENGTH)
    throw new SrtStreamIdError(
      'too-long',
      `stream ID of ${streamId.length} characters (at most ${MAX_STREAM_ID_LENGTH})`,
      streamId.slice(0, MAX_STREAM_ID_LENGTH),
    );
  const raw = readForm(streamId, streamId);
  if (raw !== undefined) return raw;
  if (streamId.includes('%')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(streamId);
    } catch {
      throw new SrtStreamIdError('encoding', `stream ID [${streamId}] has a bad percent escape`, streamId);
    }
    const target = readForm(decoded, streamId);
    if (target !== undefined) return target;
  }
  throw new SrtStreamIdError(
    'form',
    `stream ID [${streamId}] is none of {vhost}/{app}/{stream}, srt://host[:port]/{app}/{stream}, #!::r={app}/{stream},m=publish`,
    streamId,
  );
}

/** The target of one (decoded) text, or undefined when it is no form. */
function readForm(text: string, original: string): SrtStreamTarget | undefined {
  if (text.startsWith(ACCESS_CONTROL_PREFIX))
    return readAccessControl(text.slice(ACCESS_CONTROL_PREFIX.length), original);
  if (/^srt:\/\//i.test(text)) return readUrl(text);
  if (text.includes('://')) return undefined;
  const path = splitPath(text, 3);
  if (path === undefined) return undefined;
  return { form: 'path', vhost: path.vhost, app: path.app, stream: path.stream, query: path.query, mode: 'publish' };
}

function readUrl(text: string): SrtStreamTarget | undefined {
  const m = URL_FORM.exec(text);
  if (m === null) return undefined;
  const [, hostPart = '', portText, pathPart = '', query] = m;
  const path = splitPath(query === undefined ? pathPart : `${pathPart}?${query}`, 2);
  if (path === undefined) return undefined;
  const host = hostPart.startsWith('[') ? hostPart.slice(1, -1) : hostPart;
  const target: SrtStreamTarget = {
    form: 'url',
    host: host.toLowerCase(),
    app: path.app,
    stream: path.stream,
    query: path.query,
    mode: 'publish',
    url: text,
  };
  if (portText !== undefined) {
    const port = Number(portText);
    if (port < 1 || port > 65535) return undefined;
    target.port = port;
  }
  return target;
}

function readAccessControl(body: string, original: string): SrtStreamTarget | undefined {
  const keys = new Map<string, string>();
  for (const pair of body.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    keys.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const resource = keys.get('r');
  if (resource === undefined) return undefined;
  const mode = keys.get('m') ?? 'request';
  if (!MODES.includes(mode))
    throw new SrtStreamIdError(
      'mode',
      `stream ID [${original}]: m=${mode} (request, publish or bidirectional)`,
      original,
    );
  const path = splitPath(resource, 3) ?? splitPath(resource, 2);
  if (path === undefined) return undefined;
  const target: SrtStreamTarget = {
    form: 'access-control',
    app: path.app,
    stream: path.stream,
    query: path.query,
    mode: mode as SrtStreamMode,
  };
  if (path.vhost !== undefined) target.vhost = path.vhost;
  const host = keys.get('h');
  if (host !== undefined && host !== '') target.host = host.toLowerCase();
  const user = keys.get('u');
  if (user !== undefined) target.user = user;
  return target;
}

interface Path {
  vhost?: string;
  app: string;
  stream: string;
  query: string;
}

/** `[vhost/]app/stream[?query]` with exactly `parts` non-empty parts before the query. */
function splitPath(text: string, parts: 2 | 3): Path | undefined {
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const query = q < 0 ? '' : text.slice(q + 1);
  const segments = path.split('/');
  if (segments.length !== parts || segments.some((s) => s === '' || /[\s\0]/.test(s))) return undefined;
  if (parts === 3) {
    const [vhost = '', app = '', stream = ''] = segments;
    return { vhost, app, stream, query };
  }
  const [app = '', stream = ''] = segments;
  return { app, stream, query };
}
