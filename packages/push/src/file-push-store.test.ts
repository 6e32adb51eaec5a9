import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PushStoreCorrupted } from './errors.js';
import { FilePushStore } from './file-push-store.js';
import { MemoryPushStore, type StoredPush } from './push-store.js';

const push = (id: string, extra: Partial<StoredPush> = {}): StoredPush => ({
  id,
  vhost: 'default',
  app: 'app',
  stream: { name: 'live', tracks: [100, 101] },
  protocol: 'rtmp',
  url: 'rtmp://127.0.0.1/app',
  streamKey: 'key',
  createdTime: 1_612_370_560_160,
  ...extra,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-push-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FilePushStore', () => {
  it('starts empty without a file, and round-trips puts and deletes through a new instance', async () => {
    const path = join(dir, 'pushes.msgpack');
    const store = new FilePushStore(path);
    expect(await store.load()).toEqual([]);
    await store.put(push('b', { stream: { name: 's', variantNames: ['hd'] }, isConfig: false }));
    await store.put(push('a'));
    await store.put(push('c'));
    await store.delete('c');
    await store.delete('never-there');
    const again = new FilePushStore(path);
    expect(await again.load()).toEqual([
      push('a'),
      push('b', { stream: { name: 's', variantNames: ['hd'] }, isConfig: false }),
    ]);
    expect((await readdir(dir)).sort()).toEqual(['pushes.msgpack']); // no temp file left
  });

  it('coalesces a burst of changes into few writes without losing the last one', async () => {
    const path = join(dir, 'pushes.msgpack');
    const store = new FilePushStore(path);
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 100; i++) writes.push(store.put(push(`p${String(i).padStart(3, '0')}`)));
    writes.push(store.delete('p050'));
    await Promise.all(writes);
    expect(store.writeCount).toBeLessThanOrEqual(2);
    const loaded = await new FilePushStore(path).load();
    expect(loaded).toHaveLength(99);
    expect(loaded.some((p) => p.id === 'p050')).toBe(false);
    // A change while a write is in flight is written after it.
    const first = store.put(push('late1'));
    await Promise.resolve();
    await Promise.resolve();
    const second = store.put(push('late2'));
    await Promise.all([first, second]);
    expect((await new FilePushStore(path).load()).map((p) => p.id)).toContain('late2');
  });

  it('a change resolves once a write holding it ends, while other changes keep coming', async () => {
    // tools/soak's start/stop cycles: changes that never pause kept every caller waiting (and held) until they did
    const path = join(dir, 'pushes.msgpack');
    const store = new FilePushStore(path, { fsync: false });
    let churned = 0;
    let churning = true;
    const churn = (): void => {
      if (!churning) return;
      void store.put(push(`churn-${churned++ % 5}`));
      setImmediate(churn); // a change in every turn of the loop
    };
    churn();
    try {
      await new Promise((r) => setTimeout(r, 50));
      const writesBefore = store.writeCount;
      const settled = await Promise.race([
        store.put(push('mine')).then(() => 'written'),
        new Promise((r) => setTimeout(() => r('still waiting'), 5000)),
      ]);
      expect(settled).toBe('written');
      expect(store.writeCount - writesBefore).toBeLessThanOrEqual(2);
      expect((await new FilePushStore(path).load()).map((p) => p.id)).toContain('mine');
    } finally {
      churning = false;
    }
    await store.close();
  });

  for (const [name, bytes] of [
    ['garbage', new Uint8Array([0xc1, 0xc1, 0xc1])],
    [
      'a truncated file',
      encode({ format: 'sluice-push-store', version: 1, pushes: [push('a'), push('b')] }).subarray(0, 40),
    ],
    ['an empty file', new Uint8Array(0)],
    ['another format', encode({ hello: 'world' })],
    [
      'a record with a bad field',
      encode({ format: 'sluice-push-store', version: 1, pushes: [{ ...push('a'), url: 7 }] }),
    ],
  ] as const) {
    it(`reports ${name}, moves it aside and starts empty`, async () => {
      const path = join(dir, 'pushes.msgpack');
      await writeFile(path, bytes);
      const reports: PushStoreCorrupted[] = [];
      const store = new FilePushStore(path, { onCorrupted: (e) => reports.push(e) });
      expect(await store.load()).toEqual([]);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toBeInstanceOf(PushStoreCorrupted);
      expect(reports[0]?.message).toMatch(
        /^Push store \[.*pushes\.msgpack\] is corrupted \(.+\); moved aside to \[.*\.corrupt-\d+\]$/,
      );
      const files = await readdir(dir);
      expect(files.filter((f) => f.startsWith('pushes.msgpack.corrupt-'))).toHaveLength(1);
      expect(Buffer.from(await readFile(reports[0]?.movedTo as string))).toEqual(Buffer.from(bytes));
      await store.put(push('fresh'));
      expect((await new FilePushStore(path).load()).map((p) => p.id)).toEqual(['fresh']);
    });
  }

  it('rejects an empty path', () => {
    expect(() => new FilePushStore('')).toThrow('path must be a non-empty string');
  });
});

describe('MemoryPushStore', () => {
  it('keeps copies, sorted by id', async () => {
    const original = push('b');
    const store = new MemoryPushStore([original]);
    await store.put(push('a'));
    original.url = 'changed';
    const loaded = await store.load();
    expect(loaded.map((p) => [p.id, p.url])).toEqual([
      ['a', 'rtmp://127.0.0.1/app'],
      ['b', 'rtmp://127.0.0.1/app'],
    ]);
    await store.delete('a');
    expect((await store.load()).map((p) => p.id)).toEqual(['b']);
  });
});
