/** Child processes for interop tests: every process started here is killed when the test process exits. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A running peer process with its collected output. */
export interface PeerProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout so far (only when not piped elsewhere). */
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) when it ends. */
  exited: Promise<number | string>;
  /** `signal` (default SIGTERM), then SIGKILL after graceMs; resolves when it has ended. */
  stop: (graceMs?: number, signal?: NodeJS.Signals) => Promise<number | string>;
}

/** Starts a peer process (no shell) and tracks it so it never outlives the test run. */
export function startProcess(cmd: string, args: string[], options: SpawnOptions = {}): PeerProcess {
  hookExit();
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    if (out.length < 4_000_000) out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (err.length < 4_000_000) err += d;
  });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | string>((resolve) => {
    child.on('error', (e) => {
      err += String(e);
      live.delete(child);
      resolve('spawn-error');
    });
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const stop = async (graceMs = 3000, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    }
    return exited;
  };
  return { child, stdout: () => out, stderr: () => err, exited, stop };
}

/** Result of a finished command. */
export interface CommandResult {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after timeoutMs) and returns its output. */
export async function runCommand(
  cmd: string,
  args: string[],
  timeoutMs = 60_000,
  input?: Uint8Array,
): Promise<CommandResult> {
  const p = startProcess(cmd, args);
  if (input) p.child.stdin?.end(input);
  else p.child.stdin?.end();
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}
