/**
 * Server logs: one line per event, as text (`2026-01-02T03:04:05.678Z INFO  message key=value`)
 * or as JSON (`{"level":"info","time":"...","msg":"...",...}`) with --log-json.
 */

/** Log levels, most severe first. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Severity order of the levels (lower = more severe). */
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** Context fields of a line: where it happened (vhost/app/stream, push id, peer address). */
export interface LogFields {
  vhost?: string | undefined;
  app?: string | undefined;
  stream?: string | undefined;
  pushId?: string | undefined;
  remote?: string | undefined;
  [key: string]: string | number | boolean | undefined;
}

/** Writes log lines. */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

/** Options of createLogger. */
export interface LoggerOptions {
  /** Lines less severe than this are left out (default `info`). */
  level?: LogLevel;
  /** One JSON object per line instead of text. */
  json?: boolean;
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void;
  /** Clock (tests). */
  now?: () => Date;
}

/** The Logger whose level methods all go through `log`. */
export function loggerOf(log: Logger['log']): Logger {
  return {
    log,
    error: (m, f) => log('error', m, f),
    warn: (m, f) => log('warn', m, f),
    info: (m, f) => log('info', m, f),
    debug: (m, f) => log('debug', m, f),
  };
}

/** True when `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Creates a logger writing one line per call. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  if (threshold < 0) throw new RangeError(`unknown log level "${String(options.level)}" (${LOG_LEVELS.join(', ')})`);
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const json = options.json ?? false;
  const log = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (LOG_LEVELS.indexOf(level) > threshold) return;
    const time = now().toISOString();
    if (json) {
      const record: Record<string, unknown> = { level, time, msg };
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) record[k] = v;
      write(JSON.stringify(record));
      return;
    }
    let line = `${time} ${level.toUpperCase().padEnd(5)} ${msg}`;
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      const text = String(v);
      line += ` ${k}=${/^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)}`;
    }
    write(line);
  };
  return loggerOf(log);
}

/** A logger that drops everything (embedding default). */
export const silentLogger: Logger = {
  log: () => undefined,
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};
