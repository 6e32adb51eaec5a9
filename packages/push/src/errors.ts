/** Typed errors of the push registry. The HTTP layer maps each to the contract's status and message. */

/** A push with this id already exists (or is still being torn down). */
export class DuplicatePushId extends Error {
  override readonly name = 'DuplicatePushId';
  constructor(readonly id: string) {
    super(`Duplicate ID already exists [${id}]`);
  }
}

/** No push with this id. */
export class PushNotFound extends Error {
  override readonly name = 'PushNotFound';
  constructor(readonly id: string) {
    super(`There is no push information related to the ID [${id}]`);
  }
}

/** The protocol is not one this registry has a sink factory for. */
export class UnsupportedProtocol extends Error {
  override readonly name = 'UnsupportedProtocol';
  constructor(readonly protocol: string) {
    super(`Unsupported protocol [${protocol}]`);
  }
}

/** The url does not parse or its scheme does not match the protocol. */
export class InvalidPushUrl extends Error {
  override readonly name = 'InvalidPushUrl';
  constructor(
    readonly url: string,
    readonly protocol: string,
    readonly reason?: string,
  ) {
    super(`Invalid URL [${url}] for protocol [${protocol}]`);
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
