import { describe, expect, it } from 'vitest';
import { selectTracks } from './track-selection.js';
import { FakeSinkFactory } from './test-support/fake-sink.js';
import { AUDIO, OPUS, VIDEO } from './test-support/media.js';

describe('selectTracks', () => {
  const factory = new FakeSinkFactory();
  it('takes every carriable track when none is requested, naming the skipped ones', () => {
    const s = selectTracks([VIDEO, AUDIO, OPUS], {}, factory);
    expect(s.tracks.map((t) => t.id)).toEqual([100, 101]);
    expect(s.skipped).toEqual([{ id: 102, codec: 'opus', reason: 'opus is not carried by this protocol' }]);
    expect(s.gateTrackId).toBe(100);
  });
  it('selects by ids and variant names (union) and reports ids missing from the stream', () => {
    const s = selectTracks(
      [VIDEO, AUDIO, { ...OPUS, codec: 'aac', name: 'alt' }],
      { tracks: [101, 7], variantNames: ['alt'] },
      factory,
    );
    expect(s.tracks.map((t) => t.id)).toEqual([101, 102]);
    expect(s.skipped).toEqual([{ id: 7, codec: '', reason: 'not in the stream' }]);
    expect(s.gateTrackId).toBe(101);
  });
  it('honours the factory per-kind limit', () => {
    const f = new FakeSinkFactory();
    f.maxTracksPerKind = { video: 1 };
    const s = selectTracks([VIDEO, { ...VIDEO, id: 103 }, AUDIO], {}, f);
    expect(s.tracks.map((t) => t.id)).toEqual([100, 101]);
    expect(s.skipped[0]?.reason).toBe('the protocol carries at most 1 video track');
  });
  it('selects nothing when nothing is carriable', () => {
    const s = selectTracks([OPUS], {}, factory);
    expect(s.tracks).toEqual([]);
    expect(s.gateTrackId).toBeUndefined();
  });
});
