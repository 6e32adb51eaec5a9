/**
 * RtmpServer with an authorize that answers later (an admission webhook): the publish is
 * held (no Publish.Start, the name reserved), then started or refused with the decision's
 * status, and a client that leaves meanwhile frees the name.
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

  async function start(): Promise<{ port: number; held: Held[]; published: PublishInfo[] }> {
    const held: Held[] = [];
    const published: PublishInfo[] = [];
    server = new RtmpServer({
      authorize: (info, session) => new Promise<PublishDecision>((answer) => held.push({ info, session, answer })),
    });
    server.on('publish', (_s, info) => published.push(info));
    return { port: await server.listen(0), held, published };
  }

  /** Publishes live/cam again: it reaches authorize (the name is free) and starts when admitted. */
  async function publishesAgain(port: number, held: Held[], published: PublishInfo[]): Promise<void> {
    const { tracks } = demuxFixture('audio-only.flv');
    const before = held.length;
    const again = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'cam' });
    const opening = again.open(tracks);
    await waitFor(() => held.length === before + 1, 5000, 'the second publish reaches authorize');
    held[before]!.answer(null);
    await opening;
    expect(published.map((i) => i.name)).toContain('cam');
    await again.close();
  }

  it('holds the publish until the decision, then starts it', async () => {
    const { port, held, published } = await start();
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
    await p.close();
  });

  it('refuses with the status of the decision and closes; the name is free again', async () => {
    const { port, held, published } = await start();
    const { tracks } = demuxFixture('audio-only.flv');
    const p = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'cam' });
    const opening = p.open(tracks).catch((e: unknown) => e);
    await waitFor(() => held.length === 1, 5000, 'the publish reaches authorize');
    held[0]!.answer({ code: 'NetStream.Publish.Unauthorized', description: 'no such key' });
    const error = await opening;
    expect(error).toBeInstanceOf(RtmpPublishRejected);
    expect(error).toMatchObject({ code: 'NetStream.Publish.Unauthorized', description: 'no such key' });
    await waitFor(() => server!.sessions.size === 0, 5000, 'the refused session closed');
    await publishesAgain(port, held, published);
  });

  it('keeps the name reserved while pending and frees it when the client leaves before the decision', async () => {
    const { port, held, published } = await start();
    const { tracks } = demuxFixture('audio-only.flv');
    const first = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'cam' });
    void first.open(tracks).catch(() => undefined);
    await waitFor(() => held.length === 1, 5000, 'the first publish reaches authorize');
    const second = new RtmpPublisher({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: 'cam' });
    const error = await second.open(tracks).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NetStream.Publish.BadName' });
    expect(held.length).toBe(1);
    held[0]!.session.close(); // the encoder gives up while the decision is pending
    await waitFor(() => server!.sessions.size === 0, 5000, 'the session closed');
    held[0]!.answer(null); // a late decision starts nothing
    await new Promise((r) => setTimeout(r, 100));
    expect(published).toEqual([]);
    await first.close().catch(() => undefined);
    await publishesAgain(port, held, published);
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
