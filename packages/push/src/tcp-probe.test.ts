import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeTcpPort } from '@sluice/test-support';
import { probeTcp } from './tcp-probe.js';

describe('probeTcp', () => {
  it('is true for a listening port and false once it closes', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    expect(await probeTcp('127.0.0.1', address.port)).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect(await probeTcp('127.0.0.1', address.port)).toBe(false);
  });

  it('is false for a port nobody listens on and for invalid ports, without throwing', async () => {
    expect(await probeTcp('127.0.0.1', await freeTcpPort())).toBe(false);
    expect(await probeTcp('127.0.0.1', 0)).toBe(false);
    expect(await probeTcp('127.0.0.1', 70_000)).toBe(false);
    expect(await probeTcp('host.invalid', 1935, 2000)).toBe(false);
  });
});
