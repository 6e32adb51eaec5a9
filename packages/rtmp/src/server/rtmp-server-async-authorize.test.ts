/**
 * RtmpServer with an authorize that answers later (an admission webhook): the publish is
 * held (no Publish.Start), then started or refused with the decision's status; `release`
 * hears once when the publish is over, also when the client leaves before the decision.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@sluice/test-support';
import { RtmpPublisher } from '../client/rtmp-publisher.js';
import { RtmpPublishRejected } from '../errors.js';
import { demuxFixture } from '../test-support/fixtures.js';
import { RtmpServer } from './rtmp-server.js';
import type { PublishDecision, PublishInfo, RtmpIngestSession } from './rtmp-ingest-session.js';

interface Held {
  info: PublishInfo;
  session: RtmpIngestSession;
  answer: (decision: PublishDecision) => void;
}

describe('RtmpServer with an asynchronous authorize', () => {
  let server: RtmpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(): Promise<{ port: number; held: Held[]; published: PublishInfo[]; released: PublishInfo[] }> {
    const held: Held[] = [];
    const published: PublishInfo[] = [];
    const released: PublishInfo[] = [];
    server = new RtmpServer({
      authorize: (info, session) => new Promise<PublishDecision>((answer) => held.push({ info, session, answer })),
      release: (info) => released.push(info),
    });
    server.on('publish', (_s, info) => published.push(info));
    return { port: await server.listen(0), held, published, released };
  }

  it('holds the publish until the decision, then starts it; release once when it ends', async () => {
    const { port, held, published, released } = await start();
    const { tracks } = demuxFixture('audio-only.flv');
    const p = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'cam?token=abc' });
    let opened = false;
    const opening = p.open(tracks).then(() => (opened = true));
    await waitFor(() => held.length === 1, 5000, 'the publish reaches authorize');
    expect(held[0]!.info).toMatchObject({ app: 'live', name: 'cam', query: 'token=abc' });
    await new Promise((r) => setTimeout(r, 200));
    expect(opened).toBe(false);
    expect(published).toEqual([]);
    expect(held[0]!.session.publishInfo).toBeUndefined();
    held[0]!.answer(null);
    await opening;
    expect(published.map((i) => i.name)).toEqual(['cam']);
    expect(released).toEqual([]);
    await p.close();
    await waitFor(() => released.length === 1, 5000, 'released after the publish ended');
    expect(released[0]!.name).toBe('cam');
  });

  it('refuses with the status of the decision, closes and releases', async () => {
    const { port, held, released } = await start();
    const { tracks } = demuxFixture('audio-only.flv');
    const p = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'cam' });
    const opening = p.open(tracks).catch((e: unknown) => e);
    await waitFor(() => held.length === 1, 5000, 'the publish reaches authorize');
    held[0]!.answer({ code: 'NetStream.Publish.Unauthorized', description: 'no such key' });
    const error = await opening;
    expect(error).toBeInstanceOf(RtmpPublishRejected);
    expect(error).toMatchObject({ code: 'NetStream.Publish.Unauthorized', description: 'no such key' });
    await waitFor(() => server!.sessions.size === 0, 5000, 'the refused session closed');
    expect(released.map((i) => i.name)).toEqual(['cam']);
  });

  it('releases when the client leaves before the decision; a late decision starts nothing', async () => {
    const { port, held, published, released } = await start();
    const { tracks } = demuxFixture('audio-only.flv');
    const first = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'cam' });
    void first.open(tracks).catch(() => undefined);
    await waitFor(() => held.length === 1, 5000, 'the publish reaches authorize');
    held[0]!.session.close(); // the encoder gives up while the decision is pending
    await waitFor(() => server!.sessions.size === 0, 5000, 'the session closed');
    expect(released.map((i) => i.name)).toEqual(['cam']);
    held[0]!.answer(null); // a late decision starts nothing
    await new Promise((r) => setTimeout(r, 100));
    expect(published).toEqual([]);
    expect(released).toHaveLength(1);
    await first.close().catch(() => undefined);
  });

  it('refuses the publish when authorize rejects its promise', async () => {
    server = new RtmpServer({ authorize: () => Promise.reject(new Error('control server down')) });
    const port = await server.listen(0);
    const p = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'cam' });
    const error = await p.open(demuxFixture('audio-only.flv').tracks).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NetStream.Publish.BadName',
      description: 'The publish could not be authorized: control server down',
    });
  });
});
