/** TrackInfo → catalogue track conversion (@sluice/media's TrackInfo, timescale and config included). */
import type { TrackInfo } from '@sluice/media';
import { describe, expect, it } from 'vitest';
import { catalogueTrackFromTrackInfo } from './catalogue.js';

describe('catalogueTrackFromTrackInfo', () => {
  it('keeps video size/framerate and audio samplerate/channels, renamed as the API shows them', () => {
    const video: TrackInfo = {
      id: 256,
      kind: 'video' as const,
      codec: 'h264',
      timescale: 90_000,
      width: 1280,
      height: 720,
      frameRate: 30,
      bitrate: 2_000_000,
      config: new Uint8Array(4),
    };
    const audio: TrackInfo = {
      id: 257,
      kind: 'audio' as const,
      codec: 'aac',
      timescale: 48_000,
      sampleRate: 48_000,
      channels: 2,
      name: 'en',
    };
    expect(catalogueTrackFromTrackInfo(video)).toEqual({
      id: 256,
      type: 'video',
      codec: 'h264',
      width: 1280,
      height: 720,
      framerate: 30,
      bitrate: 2_000_000,
    });
    expect(catalogueTrackFromTrackInfo(audio)).toEqual({
      id: 257,
      type: 'audio',
      codec: 'aac',
      name: 'en',
      samplerate: 48_000,
      channels: 2,
    });
    const data: TrackInfo = { id: 3, kind: 'data' as const, codec: 'id3', timescale: 90_000 };
    expect(catalogueTrackFromTrackInfo(data)).toEqual({ id: 3, type: 'data', codec: 'id3' });
  });
});
