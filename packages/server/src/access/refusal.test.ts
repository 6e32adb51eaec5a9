import { describe, expect, it } from 'vitest';
import type { PushRegistry } from '@sluice/push';
import type { StreamHub } from '../hub/stream-hub.js';
import { ServerMetrics } from '../observe/server-metrics.js';
import type { TrafficMeter } from '../observe/traffic-meter.js';
import { RefusalCounters } from './refusal.js';

describe('RefusalCounters: the one count of refused publishes', () => {
  it('counts by protocol and cause; get/snapshot/total sum over protocols', () => {
    const refusals = new RefusalCounters();
    refusals.add('policy-ip', 'rtmp');
    refusals.add('policy-ip', 'srt');
    refusals.add('bad-name', 'rtmp');
    expect(refusals.get('policy-ip')).toBe(2);
    expect(refusals.total()).toBe(3);
    expect(refusals.snapshot()).toMatchObject({ 'policy-ip': 2, 'bad-name': 1, 'not-found': 0 });
    const seen: string[] = [];
    refusals.forEach((protocol, cause, n) => seen.push(`${protocol} ${cause} ${n}`));
    expect(seen.sort()).toEqual(['rtmp bad-name 1', 'rtmp policy-ip 1', 'srt policy-ip 1']);
  });

  it('is what /metrics reads at scrape time (sluice_publish_refusals_total{protocol,cause})', async () => {
    const refusals = new RefusalCounters();
    const metrics = new ServerMetrics({
      registry: { listPushes: () => [], on: () => undefined } as unknown as PushRegistry,
      hub: { liveStreams: () => [] } as unknown as StreamHub,
      meter: {} as TrafficMeter,
      ingestProtocols: ['rtmp'],
      refusals,
      processMetrics: false,
    });
    expect(await metrics.render()).not.toMatch(/^sluice_publish_refusals_total\{/m);
    refusals.add('webhook-refused', 'rtmp');
    refusals.add('webhook-refused', 'rtmp');
    const text = await metrics.render();
    expect(text).toContain('sluice_publish_refusals_total{protocol="rtmp",cause="webhook-refused"} 2');
  });
});
