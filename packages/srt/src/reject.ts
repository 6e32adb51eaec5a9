/** SRT rejection reasons (libsrt's SRT_REJECT_REASON); on the wire as handshake type 1000 + reason. */

/** The standard reject reasons. */
export const SrtRejectReason = {
  Unknown: 0,
  System: 1,
  Peer: 2,
  Resource: 3,
  Rogue: 4,
  Backlog: 5,
  Ipe: 6,
  Close: 7,
  Version: 8,
  RdvCookie: 9,
  BadSecret: 10,
  Unsecure: 11,
  MessageApi: 12,
  Congestion: 13,
  Filter: 14,
  Group: 15,
  Timeout: 16,
  Crypto: 17,
} as const;

/** Application-level reasons start here (libsrt SRT_REJC_PREDEFINED + an HTTP status: 1403 forbidden...). */
export const SRT_REJC_PREDEFINED = 1000;
/** Private application reasons start here (SRT_REJC_USERDEFINED). */
export const SRT_REJC_USERDEFINED = 2000;

/** Common predefined reasons (the access-control guidelines of libsrt). */
export const SrtRejectPredefined = {
  BadRequest: 1400,
  Unauthorized: 1401,
  Overload: 1402,
  Forbidden: 1403,
  NotFound: 1404,
  BadMode: 1405,
  Unacceptable: 1406,
  Conflict: 1409,
} as const;

const NAMES: Record<number, string> = {
  0: 'unknown',
  1: 'system error',
  2: 'rejected by peer',
  3: 'resources',
  4: 'rogue (incorrect handshake)',
  5: 'listener backlog',
  6: 'internal program error',
  7: 'socket closing',
  8: 'peer version too old',
  9: 'rendezvous cookie collision',
  10: 'wrong passphrase (bad secret)',
  11: 'password required or unexpected (unsecure)',
  12: 'stream flag collision',
  13: 'incompatible congestion controller',
  14: 'incompatible packet filter',
  15: 'incompatible group',
  16: 'connection timeout',
  17: 'crypto mode not supported',
  1400: 'bad request',
  1401: 'unauthorized',
  1402: 'overload',
  1403: 'forbidden',
  1404: 'not found',
  1405: 'bad mode',
  1406: 'unacceptable',
  1409: 'conflict',
};

/** A readable name of a reject reason. */
export function rejectReasonName(reason: number): string {
  return NAMES[reason] ?? (reason >= SRT_REJC_USERDEFINED ? `user-defined ${reason}` : `reason ${reason}`);
}
