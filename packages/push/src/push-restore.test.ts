import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilePushStore } from './file-push-store.js';
import { MemoryPushStore } from './push-store.js';
import { settle } from './test-support/fake-clock.js';
import { AV } from './test-support/media.js';
import { makeRegistry, rtmpPush } from './test-support/registry-fixture.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-push-restore-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PushRegistry persistence', () => {
  it('restores pushes from the file on start; they resume by themselves', async () => {
    const path = join(dir, 'pushes.msgpack');
    const first = makeRegistry({ store: new FilePushStore(path) });
    await first.registry.start();
    first.source.publish('live', AV);
    first.registry.startPush(rtmpPush('a', 'live', { stream: { name: 'live', tracks: [100] } }));
    first.registry.startPush(rtmpPush('b', 'other'));
    first.registry.startPush(rtmpPush('c'));
    first.registry.startPush(rtmpPush('m', 'live', { isConfig: true }));
    first.registry.stopPush('c');
    await settle();
    await first.registry.close(); // shutdown keeps definitions
    expect(first.registry.size).toBe(0);

    const second = makeRegistry({ store: new FilePushStore(path) });
    second.source.publish('live', AV);
    const result = await second.registry.start();
    expect(result).toEqual({ restored: ['a', 'b'], rejected: [] });
    await settle();
    const records = second.registry.listPushes();
    expect(records.map((r) => [r.id, r.state, r.stream.tracks])).toEqual([
      ['a', 'pushing', [100]],
      ['b', 'ready', []],
    ]);
    expect(records[0]?.createdTime).toBe(first.changes.find((c) => c.id === 'a')?.record.createdTime);
    expect(second.rtmp.last.target).toMatchObject({ url: 'rtmp://127.0.0.1:1935/app', streamKey: 'key' });
  });

  it('starts empty from a corrupted file and keeps working', async () => {
    const path = join(dir, 'pushes.msgpack');
    await writeFile(path, 'this is not msgpack at all, it is { truncated');
    const reports: string[] = [];
    const { registry } = makeRegistry({
      store: new FilePushStore(path, { onCorrupted: (e) => reports.push(e.message) }),
    });
    expect(await registry.start()).toEqual({ restored: [], rejected: [] });
    expect(reports).toHaveLength(1);
    expect((await readdir(dir)).some((f) => f.includes('.corrupt-'))).toBe(true);
    registry.startPush(rtmpPush('p'));
    await registry.flush();
    expect((await new FilePushStore(path).load()).map((p) => p.id)).toEqual(['p']);
  });

  it('rejects stored pushes it cannot run, and reports store failures as events', async () => {
    const store = new MemoryPushStore([
      {
        id: 'bad',
        vhost: 'default',
        app: 'app',
        stream: { name: 's' },
        protocol: 'rtmp',
        url: 'http://x',
        streamKey: '',
        createdTime: 0,
      },
      {
        id: 'ok',
        vhost: 'default',
        app: 'app',
        stream: { name: 's' },
        protocol: 'rtmp',
        url: 'rtmp://x/app',
        streamKey: '',
        createdTime: 0,
      },
    ]);
    const { registry } = makeRegistry({ store });
    const errors: string[] = [];
    registry.on('storeError', (e) => errors.push(e.message));
    expect(await registry.start()).toEqual({
      restored: ['ok'],
      rejected: [{ id: 'bad', reason: 'invalid url [http://x]: scheme must be rtmp or rtmps' }],
    });
    store.put = () => Promise.reject(new Error('disk full'));
    registry.startPush(rtmpPush('p'));
    await registry.flush();
    expect(errors).toEqual([
      'Stored push [bad] not restored: invalid url [http://x]: scheme must be rtmp or rtmps',
      'disk full',
    ]);
    expect(registry.getPush('p')?.state).toBe('ready');
  });

  it('rejects a stored push whose protocol is an inherited property name (start() never throws)', async () => {
    const store = new MemoryPushStore([
      {
        id: 'proto',
        vhost: 'default',
        app: 'app',
        stream: { name: 's' },
        protocol: 'constructor',
        url: 'rtmp://x/app',
        streamKey: '',
        createdTime: 0,
      },
    ]);
    const { registry } = makeRegistry({ store });
    expect(await registry.start()).toEqual({
      restored: [],
      rejected: [{ id: 'proto', reason: 'unsupported protocol [constructor]' }],
    });
  });

  it('survives a store whose load() rejects', async () => {
    const store = new MemoryPushStore();
    store.load = () => Promise.reject(new Error('connection to the store refused'));
    const { registry } = makeRegistry({ store });
    const errors: string[] = [];
    registry.on('storeError', (e) => errors.push(e.message));
    expect(await registry.start()).toEqual({ restored: [], rejected: [] });
    expect(errors).toEqual(['connection to the store refused']);
  });
});
