/**
 * End-to-end fault injection, issue 16: a destination that vanishes without FIN. The
 * rtmp push goes to nginx-rtmp through a TCP relay that runs inside a network namespace
 * the test makes (a veth pair: server → relay in the namespace → nginx back in the root
 * namespace), and the test cuts the link with `ip link set eth0 down` inside the namespace: no FIN, no RST, the
 * packets just stop. The push must notice (no acknowledgement / nothing drained), try
 * again while the link is down, and push again once it is up; a control push of the same
 * stream goes on meanwhile.
 */
import {
  describeWithPeers,
  startNginxRtmp,
  startProcess,
  waitFor,
  type NginxRtmp,
  type PeerProcess,
} from '@sluice/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServerWithControl, type ControlPush, type LiveServerWithControl } from './control-push.js';
import { sleep, type TestServer } from './harness.js';
import { createVethNamespace, ip, netnsUnavailable, type VethNamespace } from './netns.js';

const APP = '/v1/vhosts/default/apps/app';
const RELAY_PORT = 19350;

/** A TCP relay for `node -e`: listens on HOST:PORT, forwards every connection to TARGET:TPORT. */
const RELAY = `
const net = require('node:net');
const [host, port, target, tport] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(Number(tport), target);
  c.pipe(u); u.pipe(c);
  const end = () => { c.destroy(); u.destroy(); };
  c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
}).listen(Number(port), host, () => console.log('listening'));
`;

const unavailable = netnsUnavailable();

describeWithPeers(['ffmpeg', 'nginx-rtmp'], 'e2e: a link cut without FIN (issue 16)', () => {
  describe.skipIf(unavailable !== null)(
    `in a network namespace${unavailable === null ? '' : ` (skipped: ${unavailable})`}`,
    () => {
      let veth: VethNamespace;
      let nginx: NginxRtmp;
      let relay: PeerProcess;
      let t: TestServer;
      let live: LiveServerWithControl | undefined;
      let control: ControlPush;

      beforeAll(async () => {
        veth = createVethNamespace('cut', 217);
        // nginx drops a publisher idle for 3 s: the relay's side of the cut connection
        nginx = await startNginxRtmp({
          apps: ['live'],
          record: false,
          alsoListenOn: [veth.hostIp],
          appDirectives: 'drop_idle_publisher 3s;',
        });
        relay = startProcess('ip', [
          'netns',
          'exec',
          veth.ns,
          process.execPath,
          '-e',
          RELAY,
          veth.nsIp,
          String(RELAY_PORT),
          veth.hostIp,
          String(nginx.port),
        ]);
        await waitFor(
          () => relay.stdout().includes('listening'),
          10_000,
          () => `the relay in ${veth.ns} (${relay.stderr()})`,
        );
        live = await startLiveServerWithControl('cam');
        ({ t, control } = live);
      });

      afterAll(async () => {
        await live?.close();
        await relay?.stop(1000);
        await nginx?.stop();
        veth?.remove();
      });

      it(
        'the push notices, retries while the link is down, and pushes again once it is up',
        { timeout: 120_000 },
        async () => {
          const answer = await t.api('POST', `${APP}:startPush`, {
            id: 'cut',
            stream: { name: 'cam' },
            protocol: 'rtmp',
            url: `rtmp://${veth.nsIp}:${RELAY_PORT}/live`,
            streamKey: 'cut',
          });
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          await t.waitForState('cut', 'pushing', 15_000);
          await waitFor(
            async () => ((await t.push('cut'))?.sentBytes ?? 0) > 200_000,
            15_000,
            'media through the relay',
          );
          const errors = (): string[] => t.errorsOf('cut');
          let noticedAfter = 0;
          await control.unaffected(async () => {
            const cutAt = Date.now();
            // the namespace's side goes down: the root side keeps its route (linkdown), so
            // nothing meant for the namespace can leave by another way
            ip('-n', veth.ns, 'link', 'set', 'eth0', 'down');
            try {
              await waitFor(() => errors().length > 0, 30_000, 'the cut noticed');
              noticedAfter = Date.now() - cutAt;
              await sleep(6000); // attempts while the link is down fail too
              expect((await t.push('cut'))?.state).not.toBe('pushing');
            } finally {
              ip('-n', veth.ns, 'link', 'set', 'eth0', 'up');
            }
          });
          console.log(`link cut: noticed after ${noticedAfter} ms: ${errors().join(' | ')}`);
          expect(errors()[0]).toMatch(/stopped reading|stalled|timed out|not established/i);
          await t.waitForState('cut', 'pushing', 40_000);
          const before = (await t.push('cut'))?.sentBytes ?? 0;
          await waitFor(
            async () => ((await t.push('cut'))?.sentBytes ?? 0) > before + 100_000,
            20_000,
            'media again after the cut',
          );
          expect((await t.api('POST', `${APP}:stopPush`, { id: 'cut' })).status).toBe(200);
          await t.waitForGone('cut');
        },
      );
    },
  );
});
