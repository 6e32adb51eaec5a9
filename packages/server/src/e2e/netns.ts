/**
 * Network namespaces for e2e tests (root and iproute2 needed): test-created namespaces and
 * veth pairs only, named after the test process so parallel runs do not collide. `tc netem`
 * impairs a link when the kernel has it (CONFIG_NET_SCH_NETEM; some CI kernels lack it).
 */
import { execFileSync } from 'node:child_process';

/** Runs `ip ARGS` and returns its output (throws with ip's message on failure). */
export const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: 'pipe' });

/** Why namespaces cannot be made here (not root, no iproute2), or null. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    ip('-V');
  } catch {
    return 'iproute2 (`ip`) is not installed (apt-get install iproute2)';
  }
  return null;
}

/** Why `tc netem` cannot be used here (no tc, or the kernel lacks sch_netem), or null. Tried in a scratch namespace. */
export function netemUnavailable(): string | null {
  const ns = `sl-netem-probe-${process.pid}`;
  try {
    execFileSync('tc', ['-V'], { stdio: 'pipe' });
  } catch {
    return '`tc` is not installed (apt-get install iproute2)';
  }
  try {
    ip('netns', 'add', ns);
    execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], {
      stdio: 'pipe',
    });
    return null;
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? error).trim();
    return `the kernel has no netem qdisc (CONFIG_NET_SCH_NETEM; tc said: ${stderr})`;
  } finally {
    try {
      ip('netns', 'del', ns);
    } catch {
      // not made
    }
  }
}

/** A namespace joined to the root namespace by a veth pair: `hostIp` on the root side, `nsIp` inside. */
export interface VethNamespace {
  ns: string;
  /** The root-side interface (its egress goes into the namespace). */
  hostDev: string;
  hostIp: string;
  nsIp: string;
  /** Sets (or replaces) a netem qdisc on one side: `toNs` = the root side's egress, else the namespace's. */
  netem: (side: 'toNs' | 'fromNs', args: string[]) => void;
  remove: () => void;
}

/** Creates namespace `sl-<tag>-<n>` with a veth pair on 10.<subnet>.<n>.0/24. Removes a leftover of the same name first. */
export function createVethNamespace(tag: string, subnet: number): VethNamespace {
  const n = 10 + (process.pid % 240);
  const ns = `sl-${tag}-${n}`;
  const hostDev = `sl${tag.slice(0, 6)}${n}`;
  const hostIp = `10.${subnet}.${n}.1`;
  const nsIp = `10.${subnet}.${n}.2`;
  const remove = (): void => {
    try {
      ip('netns', 'del', ns); // takes its veth pair along
    } catch {
      // not made
    }
  };
  remove();
  ip('netns', 'add', ns);
  ip('link', 'add', hostDev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
  ip('addr', 'add', `${hostIp}/24`, 'dev', hostDev);
  ip('link', 'set', hostDev, 'up');
  ip('-n', ns, 'addr', 'add', `${nsIp}/24`, 'dev', 'eth0');
  ip('-n', ns, 'link', 'set', 'eth0', 'up');
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  const netem = (side: 'toNs' | 'fromNs', args: string[]): void => {
    const tc = ['qdisc', 'replace', 'dev', side === 'toNs' ? hostDev : 'eth0', 'root', 'netem', ...args];
    if (side === 'toNs') execFileSync('tc', tc, { stdio: 'pipe' });
    else execFileSync('ip', ['netns', 'exec', ns, 'tc', ...tc], { stdio: 'pipe' });
  };
  return { ns, hostDev, hostIp, nsIp, netem, remove };
}
