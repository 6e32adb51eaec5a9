/** Command-line arguments of the `sluice` CLI. */
import { isLogLevel, LOG_LEVELS, type LogLevel } from './log/logger.js';

/** What the command line asked for. */
export interface CliOptions {
  /** `--config PATH`; undefined = the Server.xml shipped with the package. */
  configFile: string | undefined;
  /** `--data-dir PATH` (default `./data`): where pushes persist. */
  dataDir: string;
  logLevel: LogLevel;
  logJson: boolean;
  /** `--rtmps-ca PATH`: PEM file of extra CA certificates trusted for rtmps:// destinations. */
  rtmpsCaFile: string | undefined;
  /** `--allow-default-token`: serve the API on every address even with the documented default token. */
  allowDefaultToken: boolean;
  help: boolean;
  version: boolean;
}

/** A command line the CLI cannot run with (exit code 2). */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** The `--help` text. */
export const CLI_USAGE = `Usage: sluice [options]
       sluice sign-url --secret KEY --url URL --expire TIME [...]   (see sluice sign-url --help)

Runs the Sluice server: RTMP ingest, push to RTMP/RTMPS and MPEG-TS (UDP/TCP), REST API.

Options:
  --config PATH      Server.xml to use (default: the one shipped with @sluice/server)
  --data-dir PATH    folder where pushes persist across restarts (default: ./data)
  --log-level LEVEL  ${LOG_LEVELS.join(' | ')} (default: info)
  --log-json         one JSON object per log line
  --rtmps-ca PATH    PEM file of extra CA certificates to trust for rtmps:// destinations
  --allow-default-token
                     serve the API beyond loopback even with the documented token ome-access-token
  --version          print the version and exit
  --help             print this help and exit

Environment: SLUICE_API_PORT, SLUICE_RTMP_PORT, SLUICE_SRT_PORT, SLUICE_ACCESS_TOKEN and SLUICE_NODE_NAME (with <Cluster>) override Server.xml.
Signals: SIGINT/SIGTERM stop cleanly; SIGHUP reloads the TLS certificate files.
`;

/** What an empty command line means (the defaults `--help` documents). */
export const CLI_DEFAULTS: Readonly<CliOptions> = Object.freeze({
  configFile: undefined,
  dataDir: './data',
  logLevel: 'info',
  logJson: false,
  rtmpsCaFile: undefined,
  allowDefaultToken: false,
  help: false,
  version: false,
});

/** Parses `argv` (without node and the script); `--opt=value` and `--opt value` both work. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { ...CLI_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new CliUsageError(`${name} needs a value`);
      i++;
      return next;
    };
    switch (name) {
      case '--':
        break; // `pnpm start -- --config x` passes the separator through
      case '--config':
        options.configFile = value();
        break;
      case '--data-dir':
        options.dataDir = value();
        break;
      case '--log-level': {
        const level = value();
        if (!isLogLevel(level))
          throw new CliUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
        options.logLevel = level;
        break;
      }
      case '--log-json':
        options.logJson = true;
        break;
      case '--rtmps-ca':
        options.rtmpsCaFile = value();
        break;
      case '--allow-default-token':
        options.allowDefaultToken = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--version':
      case '-v':
        options.version = true;
        break;
      default:
        throw new CliUsageError(`unknown option "${arg}" (see --help)`);
    }
    if (options.configFile === '' || options.dataDir === '' || options.rtmpsCaFile === '')
      throw new CliUsageError(`${name} must not be empty`);
  }
  return options;
}
