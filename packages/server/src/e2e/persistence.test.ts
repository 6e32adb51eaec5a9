/**
 * End-to-end with the `sluice` CLI as a child process:
 *   6. the server is killed with SIGKILL during a push and started again with the same
 *      data dir: the push is listed and pushing again within 5 s
 *   and SIGTERM: pushes stop cleanly (the destination's recording is finished), the
 *   process exits 0 within 5 s, and the push is still there at the next start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PushRecord } from '@sluice/push';
import {
  describeWithPeers,
  expectDecodes,
  freeTcpPort,
  startNginxRtmp,
  startProcess,
  waitFor,
  waitForTcpPort,
} from '@sluice/test-support';
import type { NginxRtmp, PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, TOKEN, writeTestConfig } from './harness.js';
import { callApi, fetchPushRecord, startFfmpegPublisher, stopFfmpeg } from './peers.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const APP = '/v1/vhosts/default/apps/app';

describeWithPeers(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'e2e: persistence and shutdown of the sluice CLI (scenario 6)',
  () => {
    let nginx: NginxRtmp;
    let apiPort: number;
    let rtmpPort: number;
    let config: string;
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-data-'));
    const processes: PeerProcess[] = [];

    /** Runs the CLI from source (tsx resolves @sluice/* through the root tsconfig paths). */
    const startCli = async (): Promise<PeerProcess> => {
      const p = startProcess(
        process.execPath,
        ['--import', 'tsx', CLI, '--config', config, '--data-dir', dataDir, '--log-json'],
        {
          cwd: REPO,
          env: { ...process.env, SLUICE_API_PORT: String(apiPort), SLUICE_RTMP_PORT: String(rtmpPort) },
        },
      );
      processes.push(p);
      await waitForTcpPort(apiPort, 20_000).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${p.stderr()}`);
      });
      await waitForTcpPort(rtmpPort, 5000);
      return p;
    };
    const push = (id: string): Promise<PushRecord | undefined> => fetchPushRecord(apiPort, TOKEN, id);

    beforeAll(async () => {
      nginx = await startNginxRtmp({ apps: ['live'] });
      apiPort = await freeTcpPort();
      rtmpPort = await freeTcpPort();
      config = writeTestConfig().file;
    });

    afterAll(async () => {
      await Promise.all(processes.filter((p) => p.child.exitCode === null).map((p) => p.stop(2000)));
      await nginx?.stop();
    });

    it('6. SIGKILL during a push, restart with the same data dir: listed and pushing again within 5 s; SIGTERM exits 0 cleanly', async () => {
      let server = await startCli();
      let publisher = startFfmpegPublisher(`rtmp://127.0.0.1:${rtmpPort}/app/persist`);
      processes.push(publisher);
      const started = await callApi(apiPort, TOKEN, 'POST', `${APP}:startPush`, {
        id: 'kept',
        stream: { name: 'persist' },
        protocol: 'rtmp',
        url: nginx.url('live'),
        streamKey: 'kept',
      });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      await waitFor(async () => (await push('kept'))?.state === 'pushing', 15_000, 'pushing before the kill');
      await sleep(1000);

      server.child.kill('SIGKILL');
      await server.exited;
      await stopFfmpeg(publisher); // its connection is gone with the server

      server = await startCli(); // resolves once its ports accept connections
      publisher = startFfmpegPublisher(`rtmp://127.0.0.1:${rtmpPort}/app/persist`);
      processes.push(publisher);
      expect((await push('kept'))?.id).toBe('kept');
      await waitFor(
        async () => (await push('kept'))?.state === 'pushing',
        5000,
        'pushing again within 5 s of the restart',
      );
      await sleep(1500);

      const termAt = Date.now();
      server.child.kill('SIGTERM');
      const code = await server.exited;
      expect(code).toBe(0);
      expect(Date.now() - termAt).toBeLessThan(5000);
      expect(server.stderr()).toContain('"msg":"stopped"');
      await stopFfmpeg(publisher);

      // the session cut by SIGTERM was ended cleanly: nginx finished the recording and it decodes
      const files = nginx.recordings().filter((f) => basename(f).startsWith('kept-'));
      expect(files.length).toBeGreaterThanOrEqual(2);
      const last = files[files.length - 1]!;
      await expectDecodes(last);

      // and the definition survived the clean shutdown too
      server = await startCli();
      expect((await push('kept'))?.state).toBe('ready');
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    });
  },
);
