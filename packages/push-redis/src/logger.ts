/** Where the package reports connection changes and background failures. */

/** A logger (console fits). Messages are one line, prefixed `push-redis:`. */
export interface RegistryLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything (tests). */
export const silentLogger: RegistryLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Calls a logger without letting it throw into a timer or a socket handler. */
export function safeLog(logger: RegistryLogger, level: keyof RegistryLogger, message: string): void {
  try {
    logger[level](`push-redis: ${message}`);
  } catch {
    // A logger that throws must not break a renewal or a reconnection.
  }
}
