/**
 * End-to-end fault injection, issue 16: the data dir. A real server with `dataDir` on a
 * tmpfs the test mounts (root needed), a real ffmpeg publisher, pushes to UDP captures:
 *   - the disk is full: startPush still answers 200 and the push sends media; the failed
 *     writes are counted in /metrics (sluice_push_store_errors_total) and logged; once
 *     there is room the next change is stored, and a restarted server lists the pushes;
 *   - the data dir turns read-only: the same, and back to writable;
 *   - a corrupted pushes.msgpack at start-up: moved aside, the server starts empty and
 *     stores new pushes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPeers, waitFor, type PeerProcess } from '@sluice/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { startUdpCapture, type TsCapture } from './ts-captures.js';

const APP = '/v1/vhosts/default/apps/app';

/** Why a tmpfs cannot be mounted here, or null. */
function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'sluice-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const unavailable = tmpfsUnavailable();
const mount = (...args: string[]): void => void execFileSync('mount', args, { stdio: 'pipe' });

/** The store error counter of /metrics. */
async function storeErrors(t: TestServer): Promise<number> {
  const answer = await fetch(`http://127.0.0.1:${t.apiPort}/metrics`, {
    headers: { authorization: `Basic ${Buffer.from('e2e-token').toString('base64')}` },
  });
  const text = await answer.text();
  const line = text.split('\n').find((l) => l.startsWith('sluice_push_store_errors_total '));
  return Number(line?.split(' ')[1] ?? NaN);
}

describeWithPeers(['ffmpeg'], 'e2e: data dir faults (issue 16)', () => {
  describe.skipIf(unavailable !== null)(`on a tmpfs${unavailable === null ? '' : ` (skipped: ${unavailable})`}`, () => {
    let dir: string;
    let t: TestServer | undefined;
    let publisher: PeerProcess | undefined;
    const captures: TsCapture[] = [];

    const begin = async (): Promise<TestServer> => {
      const server = await startTestServer({ dataDir: dir });
      publisher = startFfmpegPublisher(server.ingestUrl('cam'));
      await server.waitForLive('cam');
      return server;
    };
    const startPush = async (server: TestServer, id: string): Promise<void> => {
      const capture = await startUdpCapture();
      captures.push(capture);
      const answer = await server.api('POST', `${APP}:startPush`, {
        id,
        stream: { name: 'cam' },
        protocol: 'mpegts',
        url: `udp://127.0.0.1:${capture.port}`,
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      await server.waitForState(id, 'pushing', 15_000);
      const bytes = capture.bytes();
      await waitFor(() => capture.bytes() > bytes + 100_000, 15_000, `${id} delivers media`);
    };
    const end = async (): Promise<void> => {
      if (publisher) await stopFfmpeg(publisher);
      publisher = undefined;
      await t?.close();
      t = undefined;
      for (const c of captures.splice(0)) await c.close(join(tmpdir(), `sluice-store-${process.pid}.ts`));
    };
    const listed = async (server: TestServer): Promise<string[]> => {
      const answer = await server.api<Array<{ id: string }>>('POST', `${APP}:pushes`, {});
      expect([200, 204], JSON.stringify(answer.body)).toContain(answer.status); // 204: none
      return (answer.body?.response ?? []).map((r) => r.id).sort();
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sluice-datadir-'));
      mount('-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir);
    });
    afterEach(end);
    afterAll(() => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    });

    it('a full disk: pushes go on, /metrics counts the failed writes, stored again once there is room', async () => {
      for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
      t = await begin();
      const filler = join(dir, 'filler');
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k', 'count=1000'], { stdio: 'pipe' });
      } catch {
        // dd ends with "No space left on device": the disk is full, as wanted
      }
      await startPush(t, 'full-1');
      await waitFor(async () => (await storeErrors(t!)) >= 1, 10_000, 'the failed write counted');
      expect((await t.push('full-1'))?.state).toBe('pushing');
      rmSync(filler);
      await startPush(t, 'full-2'); // the next change writes the whole store
      await t.server.registry.flush();
      await end();
      t = await begin();
      expect(await listed(t)).toEqual(['full-1', 'full-2']);
    }, 90_000);

    it('a read-only data dir: pushes go on, failed writes counted, stored again once writable', async () => {
      for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
      t = await begin();
      mount('-o', 'remount,ro', dir);
      try {
        await startPush(t, 'ro-1');
        await waitFor(async () => (await storeErrors(t!)) >= 1, 10_000, 'the failed write counted');
        expect((await t.push('ro-1'))?.state).toBe('pushing');
      } finally {
        mount('-o', 'remount,rw', dir);
      }
      await startPush(t, 'ro-2');
      await t.server.registry.flush();
      await end();
      t = await begin();
      expect(await listed(t)).toEqual(['ro-1', 'ro-2']);
    }, 90_000);

    it('a corrupted pushes.msgpack: moved aside, the server starts empty and stores new pushes', async () => {
      for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
      writeFileSync(join(dir, 'pushes.msgpack'), Buffer.from('this is not msgpack \u00c1\u00c1\u00c1'));
      t = await begin();
      expect(await listed(t)).toEqual([]);
      const aside = readdirSync(dir).filter((f) => f.startsWith('pushes.msgpack.corrupt-'));
      expect(aside).toHaveLength(1);
      await startPush(t, 'after');
      await t.server.registry.flush();
      expect(existsSync(join(dir, 'pushes.msgpack'))).toBe(true);
      await end();
      t = await begin();
      expect(await listed(t)).toEqual(['after']);
    }, 90_000);
  });
});
