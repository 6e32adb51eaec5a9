/**
 * nginx with the RTMP module as a real destination for push tests: started with a
 * generated configuration on a free loopback port, recording what it receives.
 */
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NGINX_RTMP_MODULE, NGINX_STREAM_MODULE } from './peers.js';
import { freeTcpPort, waitForTcpPort } from './net.js';
import { startProcess, runCommand, type PeerProcess } from './process.js';

export interface NginxRtmpOptions {
  /** RTMP applications to configure (default ['live']). Each records all it receives. */
  apps?: string[];
  /** Record incoming streams to FLV files (default true). */
  record?: boolean;
  /** Also listen for RTMPS through the stream module with a self-signed certificate. */
  tls?: boolean;
  /** Fixed port (to restart on the same port); default: a free one. */
  port?: number;
  /** Extra directives inside each application block. */
  appDirectives?: string;
  /** More addresses to listen on besides 127.0.0.1 (e.g. a bridge address reached from network namespaces). */
  alsoListenOn?: string[];
}

/** A running nginx-rtmp. */
export interface NginxRtmp {
  port: number;
  /** RTMPS port when started with tls. */
  tlsPort: number | undefined;
  /** Folder holding recordings (`{stream}-{unique}.flv` with record_unique on). */
  recordDir: string;
  /** Working folder (config, logs, certificate). */
  dir: string;
  url: (app?: string) => string;
  /** Recorded files, full paths, oldest first by name. */
  recordings: () => string[];
  /** Stops nginx (SIGQUIT: finishes recordings) and waits for it. */
  stop: () => Promise<void>;
  /** Starts it again on the same port(s) with the same folders. */
  restart: () => Promise<void>;
  /** nginx's error log so far. */
  errorLog: () => string;
  process: () => PeerProcess;
}

/** Generates a self-signed certificate for 127.0.0.1/localhost with the openssl CLI. */
export async function makeSelfSignedCert(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const r = await runCommand('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  if (r.code !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { certFile, keyFile };
}

/** Starts nginx-rtmp on 127.0.0.1 and resolves once it accepts connections. */
export async function startNginxRtmp(options: NginxRtmpOptions = {}): Promise<NginxRtmp> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-nginx-'));
  const recordDir = join(dir, 'rec');
  mkdirSync(recordDir);
  mkdirSync(join(dir, 'logs'));
  const port = options.port ?? (await freeTcpPort());
  const tlsPort = options.tls ? await freeTcpPort() : undefined;
  const apps = options.apps ?? ['live'];
  const record = options.record ?? true;
  let tlsBlock = '';
  let streamModule = '';
  if (tlsPort !== undefined) {
    const { certFile, keyFile } = await makeSelfSignedCert(dir);
    streamModule = `load_module ${NGINX_STREAM_MODULE};`;
    tlsBlock = `stream { server { listen 127.0.0.1:${tlsPort} ssl; ssl_certificate ${certFile}; ssl_certificate_key ${keyFile}; proxy_pass 127.0.0.1:${port}; } }`;
  }
  const appBlocks = apps
    .map(
      (app) =>
        `application ${app} { live on; ${record ? `record all; record_path ${recordDir}; record_unique on;` : ''} ${options.appDirectives ?? ''} }`,
    )
    .join('\n');
  const conf = `load_module ${NGINX_RTMP_MODULE};
${streamModule}
user root;
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events { worker_connections 256; }
rtmp { server { listen 127.0.0.1:${port};${(options.alsoListenOn ?? []).map((a) => ` listen ${a}:${port};`).join('')} chunk_size 4096; ping 30s; notify_method get;
${appBlocks}
} }
${tlsBlock}
`;
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  let proc: PeerProcess;
  const launch = async (): Promise<void> => {
    proc = startProcess('nginx', ['-p', dir, '-c', confFile, '-e', join(dir, 'logs', 'error.log')]);
    try {
      await waitForTcpPort(port, 10_000);
      if (tlsPort !== undefined) await waitForTcpPort(tlsPort, 10_000);
    } catch (e) {
      await proc.stop(100);
      throw new Error(`nginx-rtmp did not start: ${String(e)}\n${proc.stderr()}\n${readLog()}`);
    }
  };
  const readLog = (): string => {
    const f = join(dir, 'logs', 'error.log');
    try {
      return existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
    } catch {
      return '';
    }
  };
  await launch();
  return {
    port,
    tlsPort,
    recordDir,
    dir,
    url: (app = apps[0] ?? 'live') => `rtmp://127.0.0.1:${port}/${app}`,
    recordings: () =>
      readdirSync(recordDir)
        .filter((f) => f.endsWith('.flv'))
        .sort()
        .map((f) => join(recordDir, f)),
    stop: async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGQUIT');
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
        await proc.exited;
        clearTimeout(timer);
      }
    },
    restart: launch,
    errorLog: readLog,
    process: () => proc,
  };
}

/** Removes a folder made by startNginxRtmp (tests may keep it for debugging instead). */
export function removeNginxDir(n: NginxRtmp): void {
  rmSync(n.dir, { recursive: true, force: true });
}
