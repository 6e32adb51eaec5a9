/**
 * Debian's redis-server as a real peer for cluster tests: started on a free loopback
 * port in its own temp folder, ready once it answers PING (not merely accepts TCP:
 * while it loads its append-only file it answers -LOADING), stopped, killed, paused or
 * restarted on the same port with the same data folder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './net.js';
import { startProcess, type PeerProcess } from './process.js';

/** Options of startRedisServer. */
export interface RedisServerOptions {
  /** Fixed port; default a free one. */
  port?: number;
  /**
   * 'aof' (default): append-only file fsynced on every write, so a restart keeps every
   * key (Redis used as a durable registry). 'none': nothing on disk, a restart starts
   * empty (a Redis that lost its data).
   */
  persistence?: 'aof' | 'none';
  /** More `--name value` arguments for redis-server. */
  args?: string[];
}

/** A running redis-server. */
export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:{port}`. */
  url: string;
  /** Working folder (data, log). */
  dir: string;
  /** SHUTDOWN-like stop (SIGTERM: Redis flushes and exits), waits for the exit. */
  stop: () => Promise<void>;
  /** SIGKILL (a crash: nothing flushed beyond what the AOF policy wrote), waits for the exit. */
  kill: () => Promise<void>;
  /** SIGSTOP / SIGCONT: the server keeps its sockets but answers nothing while paused. */
  pause: () => void;
  resume: () => void;
  /** Starts it again on the same port with the same folder; resolves once it answers PING. */
  restart: () => Promise<void>;
  /** True while the process runs. */
  running: () => boolean;
  /** redis-server's log so far. */
  log: () => string;
  process: () => PeerProcess;
}

/** Sends PING over a raw socket; resolves true on +PONG (false on -LOADING, refusal, timeout). */
export function pingRedis(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.setEncoding('utf8').on('data', (d: string) => {
      reply += d;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** Starts redis-server on 127.0.0.1 and resolves once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-redis-'));
  const port = options.port ?? (await freeTcpPort());
  const logFile = join(dir, 'redis.log');
  const persistence =
    (options.persistence ?? 'aof') === 'aof'
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...persistence,
    '--daemonize',
    'no',
    '--logfile',
    logFile,
    ...(options.args ?? []),
  ];
  let proc: PeerProcess | undefined;
  const readLog = (): string => {
    try {
      return existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    } catch {
      return '';
    }
  };
  const running = (): boolean => proc !== undefined && proc.child.exitCode === null && proc.child.signalCode === null;
  const launch = async (): Promise<void> => {
    if (running()) throw new Error(`redis-server on port ${port} is already running`);
    const started = startProcess('redis-server', args);
    proc = started;
    const deadline = Date.now() + 10_000;
    while (!(await pingRedis(port, 500))) {
      if (!running() || Date.now() > deadline) {
        await started.stop(100);
        throw new Error(`redis-server did not start on port ${port}:\n${started.stderr()}\n${readLog()}`);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (proc === undefined || !running()) return;
    proc.child.kill('SIGCONT'); // a paused server cannot handle SIGTERM
    await proc.stop(5000, signal);
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    pause: () => {
      if (running()) proc?.child.kill('SIGSTOP');
    },
    resume: () => {
      if (running()) proc?.child.kill('SIGCONT');
    },
    restart: launch,
    running,
    log: readLog,
    process: () => {
      if (proc === undefined) throw new Error('redis-server never started');
      return proc;
    },
  };
}

/** Stops a server made by startRedisServer (if still running) and removes its folder. */
export async function removeRedisServer(server: RedisServer): Promise<void> {
  await server.kill();
  rmSync(server.dir, { recursive: true, force: true });
}
