import { describe, expect, it } from 'vitest';
import { CLI_DEFAULTS, CLI_USAGE, CliUsageError, parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('has defaults', () => {
    expect(parseCliArgs([])).toEqual(CLI_DEFAULTS);
    expect(parseCliArgs([])).not.toBe(CLI_DEFAULTS);
    expect(Object.isFrozen(CLI_DEFAULTS)).toBe(true);
    // the values --help documents; no file options and every flag off
    expect(CLI_USAGE).toContain(`(default: ${CLI_DEFAULTS.dataDir})`);
    expect(CLI_DEFAULTS.dataDir).toBe('./data');
    expect(CLI_USAGE).toContain(`(default: ${CLI_DEFAULTS.logLevel})`);
    expect(CLI_DEFAULTS.logLevel).toBe('info');
    expect(Object.keys(CLI_DEFAULTS).sort()).toEqual([
      'allowDefaultToken',
      'configFile',
      'dataDir',
      'help',
      'logJson',
      'logLevel',
      'rtmpsCaFile',
      'version',
    ]);
    for (const file of [CLI_DEFAULTS.configFile, CLI_DEFAULTS.rtmpsCaFile]) expect(file).toBeUndefined();
    for (const flag of [CLI_DEFAULTS.logJson, CLI_DEFAULTS.allowDefaultToken, CLI_DEFAULTS.help, CLI_DEFAULTS.version])
      expect(flag).toBe(false);
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
