/**
 * End-to-end, issue 16 "long runs": streams that have run for days, simulated. The source
 * (our RtmpPublisher sending a real captured stream with B-frames, in real time) starts
 * just before a boundary and crosses it during the test; the server's push sessions start
 * their output timeline just before the same boundary (`pushTimelineOriginMs`), so every
 * output crosses it too:
 *   - 2^24 ms: RTMP extended timestamps begin (ingest and rtmp push);
 *   - 2^31 ms: the sign bit of RTMP's 32-bit timestamps;
 *   - 2^32 ms: RTMP's 32-bit wrap (the ingest unwraps it, the rtmp push wraps it);
 *   - 2^33 / 90 kHz: the MPEG-TS 33-bit PTS/DTS/PCR wrap (mpegts over UDP and TCP, and srt).
 * Outputs: rtmp to nginx-rtmp (recorded), rtmp back into our own ingest (the timestamps on
 * the wire read back), mpegts to UDP and TCP receivers, srt to srt-live-transmit. Each
 * decodes without error, keeps >= 95 % of the frames, and its DTS increase (ffprobe).
 */
import { describeWithPeers, startNginxRtmp, type NginxRtmp } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';
import { countHubFrames, runOutputScenario } from './output-scenario.js';
import { startPacedPublisher } from './paced-publisher.js';

const APP = '/v1/vhosts/default/apps/app';
const PUBLISH_MS = 12_000;
/** The boundary is crossed this long after the start. */
const LEAD_MS = 5_000;
const TS_WRAP = 2 ** 33;
const TS_WRAP_MS = Math.floor(TS_WRAP / 90);

/** First and last DTS (ms) of the video frames a stream received in the hub. */
function watchVideoDts(t: TestServer, name: string): { first: () => number; last: () => number; off: () => void } {
  let first = NaN;
  let last = NaN;
  let videoId = -1;
  const off = t.server.hub.subscribe(
    { vhost: 'default', app: 'app', name },
    {
      onStreamStart: (tracks) => (videoId = tracks.find((x) => x.kind === 'video')?.id ?? -1),
      onPacket: (p) => {
        if (p.trackId !== videoId) return;
        if (Number.isNaN(first)) first = p.dts;
        last = p.dts;
      },
      onStreamEnd: () => undefined,
    },
  );
  return { first: () => first, last: () => last, off };
}

describeWithPeers(['ffmpeg', 'ffprobe', 'nginx-rtmp', 'srt-live-transmit'], 'e2e: long runs, simulated', () => {
  let nginx: NginxRtmp;

  beforeAll(async () => {
    // players (the judge above 2^31 ms) start at a keyframe, not mid-GOP
    nginx = await startNginxRtmp({ apps: ['live'], appDirectives: 'wait_key on; wait_video on;' });
  });

  afterAll(async () => {
    await nginx?.stop();
  });

  const CASES: Array<[string, number]> = [
    ['ext24', 2 ** 24],
    ['sign31', 2 ** 31],
    ['wrap32', 2 ** 32],
    ['ts33', TS_WRAP_MS],
  ];

  it.each(CASES)('%s: source and every output cross %s ms', { timeout: 150_000 }, async (name, boundaryMs) => {
    const originMs = boundaryMs - LEAD_MS;
    const t = await startTestServer({ pushTimelineOriginMs: originMs });
    const loop = `${name}-loop`;
    const readBack = watchVideoDts(t, loop);
    const hubLoop = countHubFrames(t, loop);
    try {
      const answer = await t.api('POST', `${APP}:startPush`, {
        id: loop,
        stream: { name },
        protocol: 'rtmp',
        url: `rtmp://127.0.0.1:${t.rtmpPort}/app`,
        streamKey: loop,
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const source = watchVideoDts(t, name);
      const result = await runOutputScenario(
        t,
        nginx,
        name,
        async () => {
          const p = startPacedPublisher(`rtmp://127.0.0.1:${t.rtmpPort}/app`, name, (ms) => originMs + ms, PUBLISH_MS);
          await p.done;
        },
        { discontinuities: 0, srt: true, rtmpJudge: boundaryMs >= 2 ** 31 ? 'player' : 'record' },
      );
      source.off();
      // the source crossed the boundary without a jump (the ingest unwraps 2^32)
      expect(source.first()).toBeLessThan(boundaryMs);
      expect(source.last()).toBeGreaterThan(boundaryMs);
      // what our rtmp push wrote, read back by our ingest: continuous across the boundary
      expect(readBack.first(), 'rtmp read back starts before the boundary').toBeLessThan(boundaryMs);
      expect(readBack.first()).toBeGreaterThanOrEqual(originMs - 1000);
      expect(readBack.last(), 'rtmp read back crosses the boundary').toBeGreaterThan(boundaryMs);
      expect(hubLoop.backwards, 'read-back timeline increasing').toBe(0);
      expect(hubLoop.video).toBeGreaterThanOrEqual(0.95 * result.hub.video);
      // the MPEG-TS outputs start where the origin says (mod 2^33) and, for ts33, wrap
      for (const [label, verdict] of result.verdicts) {
        if (label === 'rtmp') continue; // nginx records from 0
        // ffprobe reports a stream that wraps soon after its start from below 0 (its wrap
        // correction): compare modulo 2^33
        const dts = verdict.videoDts!;
        const first = ((dts.first % TS_WRAP) + TS_WRAP) % TS_WRAP;
        const expected = (originMs * 90) % TS_WRAP;
        expect(Math.abs(first - expected), `${label} first DTS ${first} near ${expected}`).toBeLessThan(2 * 90_000);
        if (name === 'ts33')
          expect(first + (dts.last - dts.first), `${label} crosses the 33-bit wrap`).toBeGreaterThan(TS_WRAP);
      }
      console.log(
        `${name}: source ${source.first()}..${source.last()} ms, rtmp read back ${readBack.first()}..${readBack.last()} ms, ` +
          result.verdicts.map(([l, v]) => `${l} DTS ${v.videoDts?.first}..${v.videoDts?.last}`).join(', '),
      );
    } finally {
      readBack.off();
      hubLoop.off();
      await t.close();
    }
  });
});
