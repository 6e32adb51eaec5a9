/**
 * End-to-end fault injection, issue 16: destinations that misbehave, with a real ffmpeg
 * publisher and nginx-rtmp behind a fault proxy (fault-proxy.ts) or stopped with SIGSTOP.
 * For each fault: what the API shows, that the push recovers when the fault ends, and
 * that a control push of the same stream (mpegts over UDP) keeps its byte rate (within
 * 10 % of its rate before, relative to what the ingest received) and the ingest keeps
 * its frame rate.
 */
import type { PushRecord } from '@sluice/push';
import { describeWithPeers, startNginxRtmp, waitFor, type NginxRtmp } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { sleep, type TestServer } from './harness.js';
import { startLiveServerWithControl, type ControlPush, type LiveServerWithControl } from './control-push.js';

const APP = '/v1/vhosts/default/apps/app';
const CAM = { vhost: 'default', app: 'app', name: 'cam' };

describeWithPeers(['ffmpeg', 'nginx-rtmp'], 'e2e: destination faults (issue 16)', () => {
  let t: TestServer;
  let nginx: NginxRtmp;
  let denying: NginxRtmp;
  let live: LiveServerWithControl | undefined;
  let control: ControlPush;
  let proxy: FaultProxy;
  const othersUnaffected = (during: () => Promise<void>): Promise<void> => control.unaffected(during);

  const start = async (id: string, url: string): Promise<void> => {
    const answer = await t.api('POST', `${APP}:startPush`, {
      id,
      stream: { name: 'cam' },
      protocol: 'rtmp',
      url,
      streamKey: id,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const stop = async (id: string): Promise<void> => {
    expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
    await t.waitForGone(id);
  };
  const errorsOf = (id: string): string[] => t.errorsOf(id);
  /** Waits until push `id` sends media again: pushing and sentBytes growing. */
  const flowing = async (id: string, timeoutMs = 20_000): Promise<PushRecord> => {
    await t.waitForState(id, 'pushing', timeoutMs);
    const before = (await t.push(id))?.sentBytes ?? 0;
    // 200 kB: also past the first acknowledgement windows of an rtmp destination
    await waitFor(async () => ((await t.push(id))?.sentBytes ?? 0) > before + 200_000, 15_000, `${id} sends media`);
    return (await t.push(id)) as PushRecord;
  };

  beforeAll(async () => {
    nginx = await startNginxRtmp({ apps: ['live'], record: false });
    denying = await startNginxRtmp({ apps: ['live'], record: false, appDirectives: 'deny publish all;' });
    proxy = await startFaultProxy(nginx.port);
    live = await startLiveServerWithControl('cam');
    ({ t, control } = live);
  });

  afterAll(async () => {
    await live?.close();
    await proxy?.close();
    await nginx?.stop();
    await denying?.stop();
  });

  it(
    'refuses connections: connecting/error with ECONNREFUSED, then pushing once it listens',
    { timeout: 90_000 },
    async () => {
      await proxy.refuse();
      await othersUnaffected(async () => {
        await start('refused', proxy.url('live'));
        await waitFor(() => errorsOf('refused').some((e) => /ECONNREFUSED/.test(e)), 10_000, 'refusal reported');
        const record = await t.push('refused');
        expect(record?.state).not.toBe('pushing');
        expect(record?.lastError).toMatch(/ECONNREFUSED/);
        await sleep(1500);
      });
      await proxy.listen();
      const record = await flowing('refused');
      expect(record.lastError).toBeUndefined();
      await stop('refused');
    },
  );

  it(
    'resets mid-stream (RST, no FIN): error with the reset, a new session, pushing again',
    { timeout: 90_000 },
    async () => {
      proxy.setMode({ kind: 'reset-after', bytes: 400_000 });
      await othersUnaffected(async () => {
        await start('reset', proxy.url('live'));
        await waitFor(() => proxy.resets() === 1, 20_000, 'the connection reset');
        const record = await flowing('reset');
        expect(record.sequence, 'one session ended by the reset').toBe(1);
      });
      expect(errorsOf('reset').join('\n')).toMatch(/ECONNRESET|reset|closed/i);
      await stop('reset');
    },
  );

  it(
    'answers the RTMP handshake wrongly: the handshake error, then pushing once it answers right',
    { timeout: 90_000 },
    async () => {
      proxy.setMode({ kind: 'garbage' });
      await othersUnaffected(async () => {
        await start('garbage', proxy.url('live'));
        await waitFor(() => errorsOf('garbage').length > 0, 15_000, 'the handshake refused');
        expect((await t.push('garbage'))?.state).not.toBe('pushing');
        await sleep(1000);
      });
      expect(errorsOf('garbage')[0]).toMatch(/handshake|version/i);
      proxy.setMode({ kind: 'pass' });
      await flowing('garbage');
      await stop('garbage');
    },
  );

  // nginx-rtmp answers NetStream.Publish.Start before its access module refuses, then
  // closes the connection: each session ends at once with the broken connection
  it(
    'rejects publish (nginx `deny publish`): every session ends at once with the closed connection, retrying',
    { timeout: 90_000 },
    async () => {
      await othersUnaffected(async () => {
        await start('denied', `${denying.url('live')}`);
        await waitFor(() => errorsOf('denied').length >= 2, 20_000, 'two refused attempts');
        console.log(`deny publish: ${t.statesOf('denied').join(' ')} | ${errorsOf('denied').join(' | ')}`);
      });
      for (const error of errorsOf('denied')) expect(error).toMatch(/EPIPE|ECONNRESET|closed/i);
      const record = await t.push('denied');
      expect(record?.lastError).toMatch(/EPIPE|ECONNRESET|closed/i);
      expect(record?.sequence).toBeGreaterThanOrEqual(2);
      await stop('denied');
    },
  );

  it(
    'accepts and never reads (SIGSTOPped nginx): stalls into error, pushing again after SIGCONT',
    { timeout: 90_000 },
    async () => {
      const paused = await startNginxRtmp({ apps: ['live'], record: false });
      try {
        await start('stopped', paused.url('live'));
        await flowing('stopped');
        const pid = paused.process().child.pid!;
        await othersUnaffected(async () => {
          process.kill(pid, 'SIGSTOP');
          try {
            await waitFor(() => errorsOf('stopped').length > 0, 45_000, 'the stall detected');
            const record = await t.push('stopped');
            expect(record?.lastError).toMatch(/stopped reading/);
            await sleep(1000);
          } finally {
            process.kill(pid, 'SIGCONT');
          }
        });
        console.log(`SIGSTOP: ${errorsOf('stopped').join(' | ')}`);
        await flowing('stopped', 30_000);
        await stop('stopped');
      } finally {
        await paused.stop();
      }
    },
  );

  it(
    'reads at half the bit rate: whole GOPs dropped and counted, no error, no more drops at full rate',
    { timeout: 90_000 },
    async () => {
      const in0 = t.server.hub.stream(CAM)?.bytesIn ?? 0;
      await sleep(2000);
      const in1 = t.server.hub.stream(CAM)?.bytesIn ?? 0;
      const bytesPerSecond = (in1 - in0) / 2;
      expect(bytesPerSecond).toBeGreaterThan(0);
      proxy.setMode({ kind: 'throttle', bytesPerSecond: bytesPerSecond / 2 });
      await othersUnaffected(async () => {
        await start('slow', proxy.url('live'));
        await t.waitForState('slow', 'pushing', 15_000);
        await waitFor(
          async () => ((await t.push('slow'))?.droppedFrames ?? 0) > 0,
          45_000,
          () => `frames dropped (states ${t.statesOf('slow').join(' ')}; errors ${errorsOf('slow').join(' | ')})`,
        );
      });
      const during = (await t.push('slow')) as PushRecord;
      expect(errorsOf('slow'), 'a slow reader is not a stall').toEqual([]);
      console.log(`half rate: droppedFrames ${during.droppedFrames}, errors: ${errorsOf('slow').join(' | ')}`);
      proxy.setMode({ kind: 'pass' });
      await flowing('slow');
      const after = (await t.push('slow')) as PushRecord;
      await sleep(3000);
      const later = (await t.push('slow')) as PushRecord;
      expect(later.state).toBe('pushing');
      expect(later.droppedFrames, 'no more drops at full rate').toBe(after.droppedFrames);
      await stop('slow');
    },
  );
});
