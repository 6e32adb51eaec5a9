/**
 * The srt push over a lossy link: our server (ffmpeg publishing over RTMP) pushes to an
 * srt-live-transmit listener through a link that loses, delays and reorders datagrams.
 * - 2 % loss, 50 ms delay, reordering, 120 ms latency: the SRT layer repairs every loss in
 *   time, the capture decodes without an error, and the push record's retransmission
 *   counter (and the receiver's) shows the repairs.
 * - 10 % loss both ways: nothing crashes, the push stays up, and what did not arrive is
 *   accounted for: a capture that does not decode cleanly comes with dropped packets in the
 *   receiver's counters.
 * Two links: a veth pair into a test-created network namespace impaired by `tc netem` (root,
 * iproute2 and a kernel with sch_netem; skipped with the reason printed otherwise), and a
 * user-space lossy relay on 127.0.0.1 that runs everywhere.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeWithPeers,
  ffmpegDecodeErrors,
  ffprobe,
  freeUdpPort,
  missingPeer,
  peersRequired,
  waitFor,
  type PeerProcess,
} from '@sluice/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TOKEN, type TestServer } from './harness.js';
import { startLossyRelay } from './lossy-relay.js';
import { createVethNamespace, netemUnavailable, netnsUnavailable, type VethNamespace } from './netns.js';
import { startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { lastReceiveStats, startSrtReceiver, type SltReceiveStats } from './srt-receivers.js';

const APP = '/v1/vhosts/default/apps/app';
/** Media pushed per case: ~8 s of the fixture (~400 SRT packets). */
const CASE_BYTES = 500_000;

/** How a case reaches the receiver through the impaired link. */
interface LossyLink {
  /** Where the push sends to. */
  pushHost: string;
  pushPort: number;
  /** Where the receiver listens. */
  receiverHost: string;
  receiverPort: number;
  netns?: string | undefined;
  close: () => Promise<void>;
}

/** What a case saw. */
interface CaseResult {
  retransmittedPackets: number;
  lostPackets: number;
  droppedPackets: number;
  sequence: number;
  receiver: SltReceiveStats | undefined;
  decodeErrors: string;
  codecs: string[];
  captureBytes: number;
  /** The push's sluice_push_retransmitted_packets_total in /metrics (-1 when absent). */
  metricsRetransmitted: number;
}

async function runCase(t: TestServer, id: string, link: LossyLink, dir: () => string): Promise<CaseResult> {
  const statsFile = join(dir(), `${id}.stats.json`);
  const receiver = startSrtReceiver('srt-live-transmit', {
    host: link.receiverHost,
    port: link.receiverPort,
    latencyMs: 120,
    netns: link.netns,
    statsFile,
  });
  let record;
  let metricsText = '';
  try {
    const url = `srt://${link.pushHost}:${link.pushPort}?latency=120000&streamid=loss`;
    const started = await t.api('POST', `${APP}:startPush`, { id, stream: { name: 'cam' }, protocol: 'srt', url });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    await t.waitForState(id, 'pushing', 30_000);
    await waitFor(async () => ((await t.push(id))?.sentBytes ?? 0) > CASE_BYTES, 40_000, `media over srt (${id})`);
    record = await t.push(id);
    metricsText = await (
      await fetch(`http://127.0.0.1:${t.apiPort}/metrics`, {
        headers: { authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` },
      })
    ).text();
    expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
    await t.waitForGone(id);
  } finally {
    await receiver.stop();
    await link.close();
  }
  let stats = '';
  try {
    stats = readFileSync(statsFile, 'utf8');
  } catch {
    // no report written
  }
  const codecs = (await ffprobe(receiver.file)).streams.map((s) => s.codec_name).sort();
  const result: CaseResult = {
    retransmittedPackets: record?.retransmittedPackets ?? -1,
    lostPackets: record?.lostPackets ?? -1,
    droppedPackets: record?.droppedPackets ?? -1,
    sequence: record?.sequence ?? -1,
    receiver: lastReceiveStats(stats),
    decodeErrors: await ffmpegDecodeErrors(receiver.file),
    codecs,
    captureBytes: statSync(receiver.file).size,
    metricsRetransmitted: Number(
      new RegExp(`^sluice_push_retransmitted_packets_total\\{[^}]*id="${id}"[^}]*\\} (\\d+)$`, 'm').exec(
        metricsText,
      )?.[1] ?? -1,
    ),
  };
  console.log(
    `[sluice] srt loss ${id}: ${JSON.stringify({ ...result, decodeErrors: result.decodeErrors.slice(0, 300) })}`,
  );
  return result;
}

/** The two cases, over links made by `makeLink(lossPercent)`. */
function lossCases(makeLink: (lossPercent: number, seed: number) => Promise<LossyLink>): void {
  let t: TestServer;
  let publisher: PeerProcess | undefined;
  let tmp = '';

  beforeAll(async () => {
    t = await startTestServer();
    publisher = startFfmpegPublisher(t.ingestUrl('cam'));
    await t.waitForLive('cam');
    tmp = mkdtempSync(join(tmpdir(), 'sluice-srt-loss-'));
  });

  afterAll(async () => {
    if (publisher) await stopFfmpeg(publisher);
    await t?.close();
  });

  it('2 % loss, 50 ms delay, reordering, latency 120 ms: repaired in time, the capture decodes', async () => {
    const r = await runCase(t, 'loss2', await makeLink(2, 7), () => tmp);
    expect(r.codecs).toEqual(['aac', 'h264']);
    expect(r.decodeErrors).toBe('');
    expect(r.retransmittedPackets).toBeGreaterThan(0);
    expect(r.metricsRetransmitted).toBeGreaterThan(0);
    expect(r.lostPackets).toBeGreaterThan(0);
    expect(r.droppedPackets).toBe(0);
    expect(r.sequence).toBe(0);
    expect(r.receiver?.packetsRetransmitted ?? 0).toBeGreaterThan(0);
    expect(r.receiver?.packetsDropped).toBe(0);
  });

  it('10 % loss both ways: the push stays up, the counters account for what was lost', async () => {
    const r = await runCase(t, 'loss10', await makeLink(10, 11), () => tmp);
    expect(r.sequence).toBe(0); // never reconnected
    expect(r.retransmittedPackets).toBeGreaterThan(0);
    expect(r.lostPackets).toBeGreaterThan(r.retransmittedPackets / 2);
    expect(r.receiver).toBeDefined();
    expect(r.receiver!.packetsLost).toBeGreaterThan(0);
    // anything missing from the capture is in the receiver's drop counter
    if (r.decodeErrors !== '') expect(r.receiver!.packetsDropped).toBeGreaterThan(0);
    expect(r.captureBytes).toBeGreaterThan(CASE_BYTES / 2);
    expect((await t.api('POST', `${APP}:pushes`)).status).toBe(204); // the server still answers
  });
}

describeWithPeers(['ffmpeg', 'ffprobe', 'srt-live-transmit'], 'e2e: srt push over a lossy user-space relay', () => {
  lossCases(async (lossPercent, seed) => {
    const receiverPort = await freeUdpPort();
    const relay = await startLossyRelay(
      receiverPort,
      { lossPercent, delayMs: 50, reorderPercent: 25 },
      { lossPercent: lossPercent >= 10 ? lossPercent : 0 },
      seed,
    );
    return {
      pushHost: '127.0.0.1',
      pushPort: relay.port,
      receiverHost: '127.0.0.1',
      receiverPort,
      close: () => relay.close(),
    };
  });
});

const netnsSkip = netnsUnavailable() ?? missingPeer('srt-live-transmit') ?? missingPeer('ffmpeg');
if (netnsSkip !== null && peersRequired() && process.getuid?.() === 0)
  throw new Error(`required peer missing: ${netnsSkip}`);
// a kernel without netem is a reason to skip even in CI (it cannot be installed from Debian)
const skip = netnsSkip ?? netemUnavailable();
if (skip !== null) console.warn(`[sluice] skipping "srt push over tc netem": ${skip}`);

(skip === null ? describe : describe.skip)(
  `e2e: srt push over a veth pair impaired by tc netem${skip === null ? '' : ` [skipped: ${skip}]`}`,
  () => {
    let veth: VethNamespace | undefined;
    beforeAll(() => {
      veth = createVethNamespace('srtloss', 215);
    });
    afterAll(() => veth?.remove());
    lossCases(async (lossPercent) => {
      const v = veth!;
      v.netem('toNs', ['loss', `${lossPercent}%`, 'delay', '50ms', 'reorder', '25%', '50%']);
      v.netem('fromNs', lossPercent >= 10 ? ['loss', `${lossPercent}%`] : ['delay', '0ms']);
      const port = await freeUdpPort();
      return {
        pushHost: v.nsIp,
        pushPort: port,
        receiverHost: v.nsIp,
        receiverPort: port,
        netns: v.ns,
        close: () => Promise.resolve(),
      };
    });
  },
);
