/** Emitting events from timers and socket handlers without letting a listener break them. */
import type { EventEmitter } from 'node:events';
import { safeLog, type RegistryLogger } from './logger.js';
import { errorText } from './errors.js';

/**
 * Calls every listener of `event` in turn. A listener that throws, or returns a
 * promise that rejects, is logged and the others still run; nothing propagates to
 * the caller (a renewal timer, a pub/sub message handler).
 */
export function emitSafely(emitter: EventEmitter, logger: RegistryLogger, event: string, ...args: unknown[]): void {
  for (const listener of emitter.rawListeners(event) as Array<(...a: unknown[]) => unknown>) {
    try {
      const result = listener.apply(emitter, args);
      if (result instanceof Promise) result.catch((error: unknown) => listenerFailed(logger, event, error));
    } catch (error) {
      listenerFailed(logger, event, error);
    }
  }
}

function listenerFailed(logger: RegistryLogger, event: string, error: unknown): void {
  safeLog(logger, 'error', `a '${event}' listener failed: ${errorText(error)}`);
}
