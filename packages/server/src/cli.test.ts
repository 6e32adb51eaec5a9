import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '@sluice/test-support';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** Runs the CLI from source with tsx (from the repository root, where tsconfig paths resolve @sluice/*). */
async function sluice(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const p = startProcess(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO });
  p.child.stdin?.end();
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

describe('sluice CLI', () => {
  it('--version and --help answer and exit 0; a bad option exits 2', async () => {
    const [version, help, bad] = await Promise.all([sluice(['--version']), sluice(['--help']), sluice(['--bogus'])]);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sluice \d+\.\d+\.\d+\n$/) });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--data-dir PATH');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown option "--bogus"');
  });

  it('--rtmps-ca that cannot be read or holds no certificate stops start-up with exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
    const notPem = join(dir, 'ca.txt');
    writeFileSync(notPem, 'hello');
    const [missing, bad] = await Promise.all([
      sluice(['--rtmps-ca', join(dir, 'missing.pem'), '--data-dir', join(dir, 'data')]),
      sluice(['--rtmps-ca', notPem, '--data-dir', join(dir, 'data')]),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read --rtmps-ca ${join(dir, 'missing.pem')}: ENOENT`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`--rtmps-ca ${notPem} holds no PEM certificate`);
  });

  it('a configuration error stops start-up with exit 1, naming the element and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
    const file = join(dir, 'Server.xml');
    writeFileSync(
      file,
      `<Server version="8">
  <Bind>
    <Managers><API><Port>80a</Port></API></Managers>
    <Providers><RTMP><Port>1935</Port></RTMP></Providers>
  </Bind>
</Server>
`,
    );
    const r = await sluice(['--config', file, '--data-dir', join(dir, 'data'), '--log-json']);
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}') as { level?: string; msg?: string };
    expect(line.level).toBe('error');
    expect(line.msg).toBe(
      `configuration error: ${file}:line 3: <Server.Bind.Managers.API.Port>: must be an integer from 0 to 65535, got "80a"`,
    );
  });

  it('sign-url prints a signed URL (exit 0); a wrong argument exits 2', async () => {
    const [ok, bad] = await Promise.all([
      sluice(['sign-url', '--secret', 'K', '--url', 'rtmp://h/app/s', '--expire', '2026-12-31T00:00:00Z']),
      sluice(['sign-url', '--url', 'rtmp://h/app/s']),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^rtmp:\/\/h:1935\/app\/s\?policy=[\w-]+&signature=[\w-]+\n$/);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--secret is required') });
  });
});
