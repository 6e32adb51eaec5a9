import { DuplicatePushId, type PushRecord, type PushService, type StartPushInput } from '@sluice/push';
import { describe, expect, it } from 'vitest';
import { parseStreamMap } from '../config/stream-map.js';
import { StreamHub } from '../hub/stream-hub.js';
import { silentLogger } from '../log/logger.js';
import { defaultVhostTable } from '../test-support/vhosts.js';
import { startStreamMapPusher } from './stream-map-pusher.js';

describe('startStreamMapPusher', () => {
  it('starts one isConfig push per matching entry, once', () => {
    const entries = parseStreamMap(`<PushInfo>
      <Push><Enable>true</Enable><StreamName>cam*</StreamName><Protocol>rtmp</Protocol><Url>rtmp://127.0.0.1/\${Application}</Url><StreamKey>\${Stream}-k</StreamKey></Push>
      <Push><Enable>true</Enable><StreamName>other</StreamName><Protocol>mpegts</Protocol><Url>udp://127.0.0.1:5000</Url></Push>
      <Push><Enable>true</Enable><StreamName>cam?</StreamName><VariantNames>v</VariantNames><Protocol>mpegts</Protocol><Url>udp://127.0.0.1:\${Stream}</Url></Push>
    </PushInfo>`);
    const table = defaultVhostTable({
      name: 'app',
      rtmp: true,
      push: { connectTimeoutMs: 1, sendTimeoutMs: 1, noMediaTimeoutMs: 0, streamMap: { path: 'x', entries } },
    });
    const started: StartPushInput[] = [];
    const ids = new Set<string>();
    const service: PushService = {
      startPush: (input) => {
        if (ids.has(input.id ?? '')) throw new DuplicatePushId(input.id ?? '');
        ids.add(input.id ?? '');
        started.push(input);
        return {} as PushRecord;
      },
      stopPush: () => ({}) as PushRecord,
      listPushes: () => [],
    };
    const hub = new StreamHub();
    startStreamMapPusher(hub, table, service, silentLogger);
    const tracks = [{ id: 0, kind: 'audio' as const, codec: 'aac' as const, timescale: 1000 }];
    const pub = hub.publish({ vhost: 'default', app: 'app', name: 'cam1' });
    pub.setTracks(tracks);
    pub.end();
    hub.publish({ vhost: 'default', app: 'app', name: 'cam1' }).setTracks(tracks);
    expect(started).toEqual([
      {
        id: 'streammap0:default/app/cam1',
        vhost: 'default',
        app: 'app',
        stream: { name: 'cam1', variantNames: undefined },
        protocol: 'rtmp',
        url: 'rtmp://127.0.0.1/app',
        streamKey: 'cam1-k',
        isConfig: true,
      },
      {
        id: 'streammap2:default/app/cam1',
        vhost: 'default',
        app: 'app',
        stream: { name: 'cam1', variantNames: ['v'] },
        protocol: 'mpegts',
        url: 'udp://127.0.0.1:cam1',
        streamKey: '',
        isConfig: true,
      },
    ]);
  });
});
