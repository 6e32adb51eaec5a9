import { describe, expect, it } from 'vitest';
import { ServerCatalogue } from './server-catalogue.js';
import { StreamHub } from './stream-hub.js';
import { defaultVhostTable } from '../test-support/vhosts.js';

describe('ServerCatalogue', () => {
  const table = defaultVhostTable(
    {
      name: 'app',
      rtmp: true,
      push: { connectTimeoutMs: 5000, sendTimeoutMs: 2000, noMediaTimeoutMs: 5000, streamMap: undefined },
    },
    { name: 'nopush', rtmp: true, push: undefined },
  );

  it('lists vhosts, apps and live streams with their tracks', () => {
    const hub = new StreamHub();
    const catalogue = new ServerCatalogue(table, hub);
    const pub = hub.publish({ vhost: 'default', app: 'app', name: 'cam' }, 'rtmp');
    pub.setTracks([
      { id: 0, kind: 'video', codec: 'h264', timescale: 1000, width: 1280, height: 720, frameRate: 30, sampleRate: 1 },
      { id: 1, kind: 'audio', codec: 'aac', timescale: 1000, sampleRate: 48000, channels: 2, bitrate: 128000 },
    ]);
    expect(catalogue.vhosts()).toEqual(['default']);
    expect(catalogue.apps('default')).toEqual([
      { name: 'app', pushEnabled: true },
      { name: 'nopush', pushEnabled: false },
    ]);
    expect(catalogue.apps('x')).toBeUndefined();
    expect(catalogue.streams('default', 'app')).toEqual(['cam']);
    expect(catalogue.streams('default', 'nopush')).toEqual([]);
    expect(catalogue.streams('default', 'x')).toBeUndefined();
    expect(catalogue.stream('default', 'app', 'cam')).toEqual({
      name: 'cam',
      sourceType: 'rtmp',
      createdTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/),
      discontinuities: 0,
      tracks: [
        { id: 0, type: 'video', codec: 'h264', width: 1280, height: 720, framerate: 30 },
        { id: 1, type: 'audio', codec: 'aac', samplerate: 48000, channels: 2, bitrate: 128000 },
      ],
    });
    expect(catalogue.stream('default', 'app', 'nope')).toBeUndefined();
  });
});
