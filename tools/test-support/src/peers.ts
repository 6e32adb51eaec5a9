/**
 * Real peers for interop tests (ffmpeg, ffprobe, nginx with the RTMP module,
 * GStreamer, rtmpdump, chromium, redis-server). A test asks for a peer; when it is missing the test is
 * skipped with a visible reason, unless SLUICE_REQUIRE_PEERS=1 (set by .ci/run),
 * under which a missing peer fails the run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type PeerName =
  | 'ffmpeg'
  | 'ffprobe'
  | 'nginx-rtmp'
  | 'gstreamer'
  | 'rtmpdump'
  | 'chromium'
  | 'redis-server'
  | 'openssl'
  | 'curl'
  | 'srt-live-transmit'
  | 'promtool';

/** Path of the RTMP module as Debian's libnginx-mod-rtmp installs it. */
export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
/** Debian's chromium (driven by playwright-core in the dashboard's browser tests; never a downloaded browser). */
export const CHROMIUM = '/usr/bin/chromium';
/** Path of the stream (TCP/TLS proxy) module as Debian's libnginx-mod-stream installs it. */
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

const cache = new Map<PeerName, string | null>();

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function probe(peer: PeerName): string | null {
  switch (peer) {
    case 'ffmpeg':
    case 'ffprobe':
    case 'rtmpdump':
      return which(peer) ? null : `${peer} is not installed (apt-get install ${peer === 'ffprobe' ? 'ffmpeg' : peer})`;
    case 'nginx-rtmp':
      if (!which('nginx')) return 'nginx is not installed (apt-get install nginx libnginx-mod-rtmp)';
      return existsSync(NGINX_RTMP_MODULE)
        ? null
        : `nginx RTMP module missing at ${NGINX_RTMP_MODULE} (apt-get install libnginx-mod-rtmp)`;
    case 'openssl':
    case 'curl':
      return which(peer) ? null : `${peer} is not installed (apt-get install ${peer})`;
    case 'promtool':
      return which('promtool') ? null : 'promtool is not installed (apt-get install prometheus)';
    case 'chromium':
      return existsSync(CHROMIUM) ? null : `chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
    case 'redis-server':
      return which('redis-server') ? null : 'redis-server is not installed (apt-get install redis-server)';
    case 'srt-live-transmit':
      return which('srt-live-transmit') ? null : 'srt-live-transmit is not installed (apt-get install srt-tools)';
    case 'gstreamer':
      return which('gst-launch-1.0')
        ? null
        : 'gst-launch-1.0 is not installed (apt-get install gstreamer1.0-tools gstreamer1.0-plugins-bad)';
  }
}

/** Why the peer is unavailable, or null when it is there. Cached per process. */
export function missingPeer(peer: PeerName): string | null {
  if (!cache.has(peer)) cache.set(peer, probe(peer));
  return cache.get(peer) ?? null;
}

/** True when SLUICE_REQUIRE_PEERS=1: a missing peer is a failure, not a skip. */
export function peersRequired(): boolean {
  return process.env['SLUICE_REQUIRE_PEERS'] === '1';
}

/**
 * Returns the reason to skip a test that needs these peers, or null to run it.
 * Under SLUICE_REQUIRE_PEERS=1 a missing peer throws, so the suite fails loudly.
 *
 * Use: `const skip = skipUnlessPeers('ffmpeg'); describe.skipIf(skip)(name + (skip ? ` (skipped: ${skip})` : ''), ...)`
 * or simply `describeWithPeers(['ffmpeg'], 'name', () => ...)`.
 */
export function skipUnlessPeers(...peers: PeerName[]): string | null {
  const reasons = peers.map(missingPeer).filter((r): r is string => r !== null);
  if (reasons.length === 0) return null;
  const reason = reasons.join('; ');
  if (peersRequired()) throw new Error(`SLUICE_REQUIRE_PEERS=1 but a peer is missing: ${reason}`);
  return reason;
}
