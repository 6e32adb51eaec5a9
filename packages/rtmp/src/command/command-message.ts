/**
 * AMF0 command messages (RTMP spec 7.1.1, 7.2): command name, transaction id,
 * command object, optional arguments; and data messages (type 18) such as
 * `@setDataFrame`/`onMetaData`.
 */
import { decodeAmf0Values, encodeAmf0Values, Amf0DecodeError } from '@sluice/media';
import type { Amf0Value } from '@sluice/media';
import { RtmpProtocolError } from '../errors.js';

/** A decoded command message. */
export interface RtmpCommand {
  name: string;
  transactionId: number;
  /** Command object (null for most NetStream commands). */
  commandObject: Amf0Value;
  /** The values after the command object. */
  args: Amf0Value[];
}

/** AMF0 nesting allowed in commands and data messages from peers. */
const MAX_DEPTH = 16;

/** Builds a command message payload: name, transaction id, command object, then args. */
export function encodeCommand(
  name: string,
  transactionId: number,
  commandObject: Amf0Value,
  ...args: Amf0Value[]
): Uint8Array {
  return encodeAmf0Values([name, transactionId, commandObject, ...args]);
}

/** Decodes a command message payload; throws RtmpProtocolError when it is not AMF0 or lacks name/transaction id. */
export function decodeCommand(payload: Uint8Array): RtmpCommand {
  const values = decodeValues(payload, 'command');
  const [name, transactionId, commandObject = null, ...args] = values;
  if (typeof name !== 'string')
    throw new RtmpProtocolError('command message does not start with a command name string');
  return { name, transactionId: typeof transactionId === 'number' ? transactionId : 0, commandObject, args };
}

/** Decodes the values of a data message (type 18), e.g. ['@setDataFrame', 'onMetaData', {...}]. */
export function decodeDataMessage(payload: Uint8Array): Amf0Value[] {
  return decodeValues(payload, 'data');
}

function decodeValues(payload: Uint8Array, what: string): Amf0Value[] {
  try {
    return decodeAmf0Values(payload, { maxDepth: MAX_DEPTH });
  } catch (e) {
    if (e instanceof Amf0DecodeError) throw new RtmpProtocolError(`malformed AMF0 in ${what} message: ${e.message}`);
    throw e;
  }
}
