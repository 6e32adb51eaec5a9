/**
 * The `sluice` command's body (cli.ts loads it after the V8 heap settings): runs the server with a Server.xml until SIGINT/SIGTERM, then
 * stops pushes cleanly (RTMP FCUnpublish/deleteStream), persists and exits 0 within 5 s.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runSignUrlCommand } from './access/sign-url-command.js';
import { CLI_USAGE, CliUsageError, parseCliArgs, type CliOptions } from './cli-args.js';
import { ConfigError } from './config/config-error.js';
import { createLogger } from './log/logger.js';
import { DEFAULT_CONFIG_FILE, packageVersion } from './package-root.js';
import { createSluiceServer } from './sluice-server.js';

/** Longest a shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 4500;

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'sign-url') return runSignUrlCommand(argv.slice(1), process.stdout, process.stderr);
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (e) {
    if (e instanceof CliUsageError) {
      process.stderr.write(`sluice: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (options.help) {
    process.stdout.write(CLI_USAGE);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`sluice ${packageVersion()}\n`);
    return 0;
  }
  const log = createLogger({ level: options.logLevel, json: options.logJson });
  const configFile = resolve(options.configFile ?? DEFAULT_CONFIG_FILE);
  let rtmpsCa: string | undefined;
  if (options.rtmpsCaFile !== undefined) {
    try {
      rtmpsCa = readFileSync(resolve(options.rtmpsCaFile), 'utf8');
    } catch (e) {
      log.error(`cannot read --rtmps-ca ${options.rtmpsCaFile}: ${(e as Error).message}`);
      return 1;
    }
    if (!rtmpsCa.includes('-----BEGIN CERTIFICATE-----')) {
      log.error(`--rtmps-ca ${options.rtmpsCaFile} holds no PEM certificate`);
      return 1;
    }
  }
  let server;
  try {
    server = createSluiceServer({
      configFile,
      env: process.env,
      dataDir: resolve(options.dataDir),
      logger: log,
      allowDefaultToken: options.allowDefaultToken,
      ...(rtmpsCa !== undefined ? { rtmps: { ca: rtmpsCa } } : {}),
    });
    log.info(`Sluice ${packageVersion()} starting`, { config: configFile, dataDir: resolve(options.dataDir) });
    await server.listen();
  } catch (e) {
    if (e instanceof ConfigError) {
      log.error(`configuration error: ${e.message}`);
      return 1;
    }
    log.error(`cannot start: ${(e as Error).message}`);
    await server?.close().catch(() => undefined);
    return 1;
  }
  const running = server;
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        done(1);
        return;
      }
      stopping = true;
      log.info(`${signal}: shutting down`);
      const timer = setTimeout(() => {
        log.warn(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms: exiting`);
        done(0);
      }, SHUTDOWN_DEADLINE_MS);
      running.close().then(
        () => {
          clearTimeout(timer);
          done(0);
        },
        (e: unknown) => {
          clearTimeout(timer);
          log.error(`shutdown failed: ${String(e)}`);
          done(0);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => {
      if (stopping) return;
      try {
        running.reloadCertificates();
      } catch (e) {
        log.error(`SIGHUP: the TLS certificate was not reloaded, the old one stays: ${(e as Error).message}`);
      }
    });
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sluice: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
