import { describe, expect, it } from 'vitest';
import { apiBindAddress, DEFAULT_ACCESS_TOKEN, isLoopbackHost } from './api-bind.js';

describe('apiBindAddress', () => {
  it('keeps the requested address for a token of the operator', () => {
    expect(apiBindAddress(undefined, 's3cret', false)).toEqual({ host: undefined, warning: undefined });
    expect(apiBindAddress('192.0.2.1', 's3cret', false)).toEqual({ host: '192.0.2.1', warning: undefined });
  });

  it('moves the default token to loopback, saying how to change it', () => {
    for (const requested of [undefined, '0.0.0.0', '::', '192.0.2.1']) {
      const bind = apiBindAddress(requested, DEFAULT_ACCESS_TOKEN, false);
      expect(bind.host).toBe('127.0.0.1');
      expect(bind.warning).toContain('listens on 127.0.0.1 only');
      expect(bind.warning).toContain('<AccessToken>');
      expect(bind.warning).toContain('--allow-default-token');
    }
  });

  it('keeps a loopback address or an explicit opt-in', () => {
    expect(apiBindAddress('::1', DEFAULT_ACCESS_TOKEN, false)).toEqual({ host: '::1', warning: undefined });
    expect(apiBindAddress('127.0.0.5', DEFAULT_ACCESS_TOKEN, false).warning).toBeUndefined();
    expect(apiBindAddress(undefined, DEFAULT_ACCESS_TOKEN, true)).toEqual({ host: undefined, warning: undefined });
  });

  it('knows loopback addresses', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'].every(isLoopbackHost)).toBe(
      true,
    );
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});
