import { describe, expect, it } from 'vitest';
import { VirtualHostTable } from './virtual-host-table.js';

describe('VirtualHostTable', () => {
  const table = new VirtualHostTable([
    {
      name: 'live',
      hostNames: ['*.live.test', 'live.test'],
      applications: [{ name: 'app', rtmp: true, push: undefined }],
    },
    { name: 'default', hostNames: ['*'], applications: [] },
  ]);

  it('finds the vhost of a host by pattern, first match wins', () => {
    expect(table.forHost('a.live.test:1935')?.name).toBe('live');
    expect(table.forHost('LIVE.test')?.name).toBe('live');
    expect(table.forHost('127.0.0.1')?.name).toBe('default');
    expect(
      new VirtualHostTable([{ name: 'x', hostNames: ['x.test'], applications: [] }]).forHost('y.test'),
    ).toBeUndefined();
  });

  it('finds applications', () => {
    expect(table.application('live', 'app')?.rtmp).toBe(true);
    expect(table.application('live', 'nope')).toBeUndefined();
    expect(table.application('nope', 'app')).toBeUndefined();
    expect(table.names()).toEqual(['live', 'default']);
  });
});
