/** Typed errors of @sluice/push-redis. The HTTP layer maps RegistryUnavailable (a PushRegistryUnavailable) to 503. */
import { PushRegistryUnavailable } from '@sluice/push';

/** The words of an error for a message. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}

/**
 * Redis cannot be used right now (not connected, connection lost, command timed out,
 * or an error reply). Thrown at once, without waiting for a reconnection: the caller
 * answers 503 and the client keeps reconnecting by itself.
 */
export class RegistryUnavailable extends PushRegistryUnavailable {
  override readonly name = 'RegistryUnavailable';
  constructor(
    /** What could not be done ("list pushes", "acquire the lease of push [x]"). */
    readonly operation: string,
    /** Where Redis is (host:port, never the password). */
    readonly address: string,
    /** What the client or Redis said. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Push registry unavailable: cannot ${operation}: Redis at ${address}: ${reason}`, options);
  }
}

/** Another live process registered the same node name (two nodes configured alike). */
export class NodeNameInUse extends Error {
  override readonly name = 'NodeNameInUse';
  constructor(
    readonly node: string,
    /** Instance id of the process that holds the name. */
    readonly holder: string,
  ) {
    super(
      `Node name [${node}] is in use by another live process (instance ${holder}); ` +
        'give every node its own <NodeName>. This node publishes nothing until the name is free',
    );
  }
}
