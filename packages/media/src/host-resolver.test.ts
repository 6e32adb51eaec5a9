import { createServer, connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HostResolutionError, pinnedLookup, resolveHostSystem } from './host-resolver.js';

describe('resolveHostSystem', () => {
  it('returns a literal as itself (brackets removed) and every address of a name', async () => {
    expect(await resolveHostSystem('203.0.113.7')).toEqual([{ address: '203.0.113.7', family: 4 }]);
    expect(await resolveHostSystem('[2001:db8::1]')).toEqual([{ address: '2001:db8::1', family: 6 }]);
    expect(await resolveHostSystem('2130706433')).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect((await resolveHostSystem('localhost')).length).toBeGreaterThan(0);
  });

  it('rejects with HostResolutionError naming the host', async () => {
    const error = await resolveHostSystem('nothing.invalid').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostResolutionError);
    expect((error as Error).message).toMatch(/^cannot resolve nothing\.invalid: /);
  });
});

describe('pinnedLookup', () => {
  it('makes net.connect reach the pinned address for a name DNS does not know, never asking DNS', async () => {
    const server = createServer((s) => s.end('pinned'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const socket = connect({
          host: 'pinned.invalid',
          port,
          lookup: pinnedLookup([{ address: '127.0.0.1', family: 4 }]),
        });
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(received).toBe('pinned');
    } finally {
      server.close();
    }
  });

  it('answers one or all addresses and filters by family', () => {
    const lookup = pinnedLookup([
      { address: '2001:db8::1', family: 6 },
      { address: '198.51.100.1', family: 4 },
    ]);
    const answers: unknown[] = [];
    lookup('h', { all: true }, (...args: unknown[]) => answers.push(args));
    lookup('h', { family: 4 }, (...args: unknown[]) => answers.push(args));
    lookup('h', {}, (...args: unknown[]) => answers.push(args));
    expect(answers).toEqual([
      [
        null,
        [
          { address: '2001:db8::1', family: 6 },
          { address: '198.51.100.1', family: 4 },
        ],
      ],
      [null, '198.51.100.1', 4],
      [null, '2001:db8::1', 6],
    ]);
    const v4only = pinnedLookup([{ address: '198.51.100.1', family: 4 }]);
    v4only('h', { family: 6 }, (error) => expect((error as NodeJS.ErrnoException).code).toBe('ENOTFOUND'));
  });
});
