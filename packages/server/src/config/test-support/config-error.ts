import { expect } from 'vitest';
import { ConfigError } from '../config-error.js';

/** Runs `fn`, which must throw a ConfigError, and returns that error (the config tests' check). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
