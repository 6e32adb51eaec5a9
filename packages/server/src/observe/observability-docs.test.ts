/**
 * The "Observability" section of packages/server/README.md against a running server, so
 * the documentation cannot drift: its prometheus.yml passes `promtool check config` and a
 * real Prometheus scrapes the server with it; its `curl -N` line prints events; its
 * Server.xml snippet is read by the real reader; examples/webhook-receiver.ts verifies and
 * prints a real server event and refuses a forged one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeWithPeers, freeTcpPort, runCommand, startProcess, waitFor } from '@sluice/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, testServerXml, TOKEN, type TestServer } from '../e2e/harness.js';
import { createSluiceServer } from '../sluice-server.js';
import { parseServerConfig } from '../config/server-config.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const readme = readFileSync(join(ROOT, 'packages/server/README.md'), 'utf8');
const section = readme.slice(readme.indexOf('\n## Observability\n'), readme.indexOf('\n## Embedding\n'));
const APP = '/v1/vhosts/default/apps/app';
const hasPrometheus = spawnSync('sh', ['-c', 'command -v prometheus']).status === 0;

/** The one fenced block of the section in `lang` that contains `marker`. */
function block(lang: string, marker: string): string {
  const found = [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))]
    .map((m) => m[1]!)
    .filter((b) => b.includes(marker));
  expect(found, `${lang} blocks with ${marker}`).toHaveLength(1);
  return found[0]!;
}

describeWithPeers(['curl', 'promtool'], 'packages/server/README.md "Observability" against a server', () => {
  let t: TestServer;
  const work = mkdtempSync(join(tmpdir(), 'sluice-obs-docs-'));
  const passwordFile = join(work, 'sluice.password');
  const password = 'docs-prometheus-password';
  /** The README's prometheus.yml with its password file here and its target `port`. */
  const prometheusYml = (port: number): string =>
    block('yaml', 'scrape_configs')
      .replace('/etc/prometheus/sluice.password', passwordFile)
      .replace('127.0.0.1:8081', `127.0.0.1:${port}`);
  /** The username of the yml: the AccessToken is `username:password`. */
  const username = (): string => /username: (\S+)/.exec(block('yaml', 'scrape_configs'))![1]!;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t?.close());

  it('prometheus.yml passes promtool check config', async () => {
    writeFileSync(passwordFile, `${password}\n`);
    const file = join(work, 'prometheus.yml');
    writeFileSync(file, prometheusYml(t.apiPort));
    const check = await runCommand('promtool', ['check', 'config', file], 30_000);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout + check.stderr).toMatch(/SUCCESS/);
  });

  it.skipIf(!hasPrometheus)(
    'a real Prometheus scrapes the server with it: target up, sluice series stored',
    async () => {
      // a server whose AccessToken is `username:password`, as the README says
      const config = join(work, 'Server.xml');
      writeFileSync(config, testServerXml({ token: `${username()}:${password}` }));
      const scraped = createSluiceServer({ configFile: config, host: '127.0.0.1' });
      const { apiPort } = await scraped.listen();
      writeFileSync(passwordFile, `${password}\n`);
      const file = join(work, 'prometheus-run.yml');
      writeFileSync(file, prometheusYml(apiPort as number).replace('scrape_interval: 15s', 'scrape_interval: 1s'));
      const port = await freeTcpPort();
      const prometheus = startProcess('prometheus', [
        `--config.file=${file}`,
        `--storage.tsdb.path=${join(work, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ]);
      try {
        const query = async (q: string): Promise<Array<{ value: [number, string] }>> => {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
          const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
          return body.data?.result ?? [];
        };
        let health = '';
        await waitFor(
          async () => {
            try {
              const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets`);
              const body = (await res.json()) as {
                data: { activeTargets: Array<{ health: string; lastError: string }> };
              };
              const target = body.data.activeTargets[0];
              health = `${target?.health} ${target?.lastError}`;
              return target?.health === 'up';
            } catch {
              return false;
            }
          },
          60_000,
          () => `the sluice target up (last: ${health}; prometheus: ${prometheus.stderr().slice(-500)})`,
          250,
        );
        await waitFor(async () => (await query('sluice_uptime_seconds')).length === 1, 30_000, 'a stored sample');
        const [up] = await query('up{job="sluice"}');
        expect(up?.value[1]).toBe('1');
      } finally {
        await prometheus.stop(5000, 'SIGTERM');
        await scraped.close();
      }
    },
    120_000,
  );

  it('the curl -N line prints events as they happen', async () => {
    const line = section
      .split('\n')
      .find((l) => l.startsWith('curl -N '))!
      .replace('127.0.0.1:8081', `127.0.0.1:${t.apiPort}`);
    const curl = startProcess('bash', ['-c', `exec ${line}`], {
      env: { ...process.env, SLUICE_ACCESS_TOKEN: TOKEN },
    });
    try {
      await waitFor(
        () => curl.stdout().includes('retry:'),
        20_000,
        () => `the stream opens (${curl.stderr()})`,
      );
      const answer = await t.api('POST', `${APP}:startPush`, {
        id: 'docs-curl',
        stream: { name: 'later' },
        protocol: 'mpegts',
        url: 'udp://127.0.0.1:5999',
      });
      expect(answer.status).toBe(200);
      await waitFor(() => curl.stdout().includes('event: push.created'), 20_000, 'push.created on curl');
      expect(curl.stdout()).toMatch(/id: \S+\nevent: push.created\ndata: \{.*"id":"docs-curl"/);
    } finally {
      await curl.stop(2000, 'SIGTERM');
    }
  });

  it('the <Webhooks> snippet is read as it says', () => {
    const xml = `<Server version="8">
  <Bind><Managers><API><Port>8081</Port></API></Managers><Providers><RTMP><Port>1935</Port></RTMP></Providers></Bind>
  ${block('xml', '<Webhooks>').replace('<AccessToken>...</AccessToken>', '<AccessToken>secret</AccessToken>')}
  <VirtualHosts><VirtualHost><Name>default</Name><Applications><Application><Name>app</Name></Application></Applications></VirtualHost></VirtualHosts>
</Server>`;
    const config = parseServerConfig(xml);
    expect(config.warnings).toEqual([]);
    const [ops] = config.webhooks.webhooks;
    expect(ops).toMatchObject({ name: 'ops', url: 'https://hooks.example.com/sluice', secretKey: 'change-me' });
    expect([...ops!.events].sort()).toEqual([
      'push.created',
      'push.removed',
      'push.state',
      'stream.ended',
      'stream.published',
    ]);
  });
});

describe('examples/webhook-receiver.ts against a server', () => {
  it('verifies and prints real server events once each, refuses a forged one', async () => {
    const secret = 'docs-webhook-secret';
    const receiver = startProcess('node', ['--import', 'tsx', 'examples/webhook-receiver.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', SLUICE_WEBHOOK_SECRET: secret },
    });
    let t: TestServer | undefined;
    try {
      let url = '';
      await waitFor(
        () => {
          url = /listening on (http:\/\/\S+)/.exec(receiver.stdout())?.[1] ?? '';
          return url !== '';
        },
        30_000,
        () => `the receiver listens (${receiver.stderr()})`,
      );
      t = await startTestServer({
        managersXml: `<Webhooks><Webhook><Url>${url}sluice</Url><SecretKey>${secret}</SecretKey>
          <Events>push.* stream.published stream.ended</Events></Webhook></Webhooks>`,
      });
      const answer = await t.api('POST', `${APP}:startPush`, {
        id: 'docs-hook',
        stream: { name: 'later' },
        protocol: 'mpegts',
        url: 'udp://127.0.0.1:5999',
      });
      expect(answer.status).toBe(200);
      await t.api('POST', `${APP}:stopPush`, { id: 'docs-hook' });
      await t.waitForGone('docs-hook');
      await waitFor(
        () => receiver.stdout().includes(' push.removed '),
        20_000,
        () => receiver.stdout(),
      );
      const lines = receiver.stdout().split('\n').slice(1, -1);
      expect(lines[0]).toMatch(/^\S+-\d+ push\.created push docs-hook ready$/);
      expect(lines.at(-1)).toMatch(/^\S+-\d+ push\.removed push docs-hook /);
      expect(new Set(lines.map((l) => l.split(' ')[0])).size).toBe(lines.length);
      expect(t.server.webhooks.endpoints[0]?.counters).toMatchObject({ failures: 0, deliveries: lines.length });

      const body = '{"type":"push.removed"}';
      const forged = await fetch(`${url}sluice`, {
        method: 'POST',
        headers: { 'x-sluice-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
        body,
      });
      expect(forged.status).toBe(401);
      await waitFor(() => receiver.stderr().includes('refused: signature mismatch'), 10_000, 'the refusal logged');
    } finally {
      await t?.close();
      await receiver.stop(5000, 'SIGTERM');
    }
  }, 90_000);
});
