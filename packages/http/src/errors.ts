/** Typed errors of @sluice/http. */

/** The options given to createApiHandler / createNodeHandler are unusable (e.g. an empty access token). */
export class HttpApiConfigError extends Error {
  override readonly name = 'HttpApiConfigError';
  constructor(
    /** The option at fault, e.g. `accessToken`. */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A request the API refuses: carries the HTTP status and the message without the
 * trailing ` (N)`, which the envelope adds.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers, e.g. `WWW-Authenticate` on 401 or `Connection: close` on 413. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}
