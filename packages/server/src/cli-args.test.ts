import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('has defaults', () => {
    expect(parseCliArgs([])).toEqual({
      configFile: undefined,
      dataDir: './data',
      logLevel: 'info',
      logJson: false,
      rtmpsCaFile: undefined,
      allowDefaultToken: false,
      help: false,
      version: false,
    });
  });

  it('reads every option in both forms', () => {
    expect(
      parseCliArgs([
        '--config',
        'a.xml',
        '--data-dir=/d',
        '--log-level',
        'debug',
        '--log-json',
        '--rtmps-ca',
        'ca.pem',
        '--allow-default-token',
        '--version',
        '--help',
      ]),
    ).toEqual({
      configFile: 'a.xml',
      dataDir: '/d',
      logLevel: 'debug',
      logJson: true,
      rtmpsCaFile: 'ca.pem',
      allowDefaultToken: true,
      help: true,
      version: true,
    });
  });

  it('ignores a bare -- separator', () => {
    expect(parseCliArgs(['--', '--log-json']).logJson).toBe(true);
  });

  it('refuses unknown options, missing values and bad levels', () => {
    expect(() => parseCliArgs(['--port', '1'])).toThrow(new CliUsageError('unknown option "--port" (see --help)'));
    expect(() => parseCliArgs(['--config'])).toThrow('--config needs a value');
    expect(() => parseCliArgs(['--config', '--log-json'])).toThrow('--config needs a value');
    expect(() => parseCliArgs(['--log-level', 'loud'])).toThrow(
      '--log-level must be one of error, warn, info, debug, got "loud"',
    );
    expect(() => parseCliArgs(['--data-dir='])).toThrow('--data-dir must not be empty');
    expect(() => parseCliArgs(['--rtmps-ca='])).toThrow('--rtmps-ca must not be empty');
  });
});
