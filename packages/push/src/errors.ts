/** Typed errors of the push registry. The HTTP layer maps each to the contract's status and message. */
import { redactUrlSecrets } from './url-secrets.js';

/** A push with this id already exists (or is still being torn down). */
export class DuplicatePushId extends Error {
  override readonly name = 'DuplicatePushId';
  constructor(readonly id: string) {
    super(`Duplicate ID already exists [${id}]`);
  }
}

/** The application already runs as many pushes as its cap (`<MaxPushes>`) allows. */
export class PushLimitReached extends Error {
  override readonly name = 'PushLimitReached';
  constructor(
    readonly vhost: string,
    readonly app: string,
    readonly limit: number,
  ) {
    super(`The application [${vhost}/${app}] already has ${limit} pushes, the most its MaxPushes allows`);
  }
}

/**
 * The application's destination policy (`<Destinations>`) refuses where a push would go:
 * at startPush (400) when the host already resolves to a denied address, and as a
 * session's `lastError` when a connection attempt finds it denied (the push never
 * connects and keeps retrying: the name may resolve to an allowed address later).
 */
export class DestinationDenied extends Error {
  override readonly name = 'DestinationDenied';
  constructor(
    readonly host: string,
    readonly scope: string,
    readonly reason: string,
  ) {
    super(`Destination denied [${host}] for application [${scope}]: ${reason}`);
  }
}

/** No push with this id. */
export class PushNotFound extends Error {
  override readonly name = 'PushNotFound';
  constructor(readonly id: string) {
    super(`There is no push information related to the ID [${id}]`);
  }
}

/**
 * The shared registry of a cluster cannot be reached (its store is unavailable): the
 * request was not carried out. The HTTP layer answers 503 with this message; the
 * cluster's store subclasses it (`RegistryUnavailable` of @sluice/push-redis).
 */
export class PushRegistryUnavailable extends Error {
  override readonly name: string = 'PushRegistryUnavailable';
}

/** The protocol is not one this registry has a sink factory for. */
export class UnsupportedProtocol extends Error {
  override readonly name = 'UnsupportedProtocol';
  constructor(readonly protocol: string) {
    super(`Unsupported protocol [${protocol}]`);
  }
}

/**
 * The url does not parse or its scheme does not match the protocol. The message names the
 * url with its secrets hidden (passphrase, key, token, ... values; user info; the stream-key
 * segment) and ends with the protocol's reason when it gave one.
 */
export class InvalidPushUrl extends Error {
  override readonly name = 'InvalidPushUrl';
  constructor(
    readonly url: string,
    readonly protocol: string,
    readonly reason?: string,
  ) {
    // the protocol's reason without its own "Invalid .. URL [..]: " opening (the message names the url once)
    const detail = reason?.replace(/^Invalid [\w:/]*\s?URL(?: \[[^\]]*\])?:\s*/i, '') ?? '';
    const why = detail === '' ? '' : `: ${redactUrlSecrets(detail)}`;
    super(`Invalid URL [${redactUrlSecrets(url)}] for protocol [${protocol}]${why}`);
  }
}

/** A requested track id is not in the (live) source stream. */
export class UnknownTrackId extends Error {
  override readonly name = 'UnknownTrackId';
  constructor(
    readonly trackId: number,
    readonly streamName: string,
  ) {
    super(`Unknown track id [${trackId}] in stream [${streamName}]`);
  }
}

/** A required field is missing (names listed in field order). */
export class MissingPushParameter extends Error {
  override readonly name = 'MissingPushParameter';
  constructor(readonly fields: string[]) {
    super(`There is no required parameter [${fields.join(', ')}]`);
  }
}

/** A session's destination did not finish connecting within the connection timeout. */
export class PushConnectTimeout extends Error {
  override readonly name = 'PushConnectTimeout';
  constructor(readonly timeoutMs: number) {
    super(`Connection timed out after ${timeoutMs} ms`);
  }
}

/** A session's destination drained nothing for longer than the send timeout. */
export class PushSendStalled extends Error {
  override readonly name = 'PushSendStalled';
  constructor(
    readonly timeoutMs: number,
    readonly bufferedBytes: number,
  ) {
    super(`Send stalled: the destination drained nothing for ${timeoutMs} ms (${bufferedBytes} bytes buffered)`);
  }
}

/** A session in `pushing` sent no media for the no-media timeout while its source kept delivering. */
export class PushNoMedia extends Error {
  override readonly name = 'PushNoMedia';
  constructor(readonly timeoutMs: number) {
    super(`no media sent for ${timeoutMs} ms while the source is live`);
  }
}

/** No track of the source stream can be sent (none selected, or the protocol carries none of them). */
export class NothingToPush extends Error {
  override readonly name = 'NothingToPush';
  constructor(
    readonly streamName: string,
    readonly protocol: string,
    readonly details: string,
  ) {
    super(`Nothing to push: no track of stream [${streamName}] can be sent with ${protocol} (${details})`);
  }
}

/** A store's content could not be read back; it was moved aside and the registry starts empty. */
export class PushStoreCorrupted extends Error {
  override readonly name = 'PushStoreCorrupted';
  constructor(
    readonly path: string,
    readonly movedTo: string | undefined,
    readonly reason: string,
  ) {
    super(
      `Push store [${path}] is corrupted (${reason})${movedTo === undefined ? '' : `; moved aside to [${movedTo}]`}`,
    );
  }
}
