/**
 * The one table mapping typed errors of @sluice/push to the contract's HTTP status.
 * The message is the error's own (the registry words it as the contract does);
 * the envelope appends ` (N)`.
 */
import {
  DestinationDenied,
  DuplicatePushId,
  InvalidPushUrl,
  MissingPushParameter,
  PushLimitReached,
  PushNotFound,
  PushRegistryUnavailable,
  UnknownTrackId,
  UnsupportedProtocol,
} from '@sluice/push';
import { ApiError } from './errors.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/** Typed push errors and the status each maps to. */
export const PUSH_ERROR_STATUS: ReadonlyArray<readonly [ErrorClass, number]> = [
  [DuplicatePushId, 400],
  [UnsupportedProtocol, 400],
  [InvalidPushUrl, 400],
  [UnknownTrackId, 400],
  [MissingPushParameter, 400],
  [DestinationDenied, 400],
  [PushLimitReached, 409],
  [PushNotFound, 404],
  [PushRegistryUnavailable, 503],
];

/** The ApiError for a push error, or null when `error` is not one of the table's. */
export function apiErrorFromPushError(error: unknown): ApiError | null {
  if (!(error instanceof Error)) return null;
  for (const [type, status] of PUSH_ERROR_STATUS) {
    if (error instanceof type) return new ApiError(status, error.message);
  }
  return null;
}
