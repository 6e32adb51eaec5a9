import { describe, expect, it } from 'vitest';
import { codecProblems, DESTINATION_PRESETS, presetById } from './presets.js';

describe('destination presets', () => {
  it('has the platforms the issue names, each with a protocol the API takes and what it needs', () => {
    const labels = DESTINATION_PRESETS.map((p) => p.label);
    for (const label of [
      'YouTube',
      'YouTube (backup)',
      'Twitch',
      'Facebook (RTMPS)',
      'Kick',
      'RTMP (any server)',
      'RTMPS (any server)',
      'SRT',
      'MPEG-TS over UDP',
      'MPEG-TS over TCP',
    ])
      expect(labels).toContain(label);
    for (const p of DESTINATION_PRESETS) {
      expect(['rtmp', 'mpegts', 'srt']).toContain(p.protocol);
      expect(p.needs.length).toBeGreaterThan(20);
      expect(p.video.length).toBeGreaterThan(0);
      expect(p.audio.length).toBeGreaterThan(0);
    }
    expect(new Set(DESTINATION_PRESETS.map((p) => p.id)).size).toBe(DESTINATION_PRESETS.length);
  });

  it('fills urls the platforms publish, with the scheme their protocol needs', () => {
    expect(presetById('youtube')?.url).toBe('rtmp://a.rtmp.youtube.com/live2');
    expect(presetById('youtube-backup')?.url).toBe('rtmp://b.rtmp.youtube.com/live2?backup=1');
    expect(presetById('twitch')?.url).toBe('rtmp://live.twitch.tv/app');
    expect(presetById('facebook')?.url).toMatch(/^rtmps:\/\/live-api-s\.facebook\.com:443\/rtmp$/);
    expect(presetById('kick')?.url).toMatch(/^rtmps:\/\//);
    expect(presetById('facebook')?.needs).toContain('RTMPS only');
    for (const p of DESTINATION_PRESETS) {
      if (p.url === '') continue;
      expect(p.url).toMatch(
        p.protocol === 'rtmp' ? /^rtmps?:\/\// : p.protocol === 'srt' ? /^srt:\/\// : /^(udp|tcp):\/\//,
      );
    }
    expect(presetById('mpegts-udp')?.urlPlaceholder).toBe('udp://host:port');
    expect(presetById('mpegts-tcp')?.urlPlaceholder).toBe('tcp://host:port');
    expect(presetById('srt')?.usesStreamKey).toBe(false);
    expect(presetById('twitch')?.usesStreamKey).toBe(true);
    expect(presetById('nope')).toBeUndefined();
  });

  it('names each track a destination cannot take', () => {
    const twitch = presetById('twitch');
    if (twitch === undefined) throw new Error('no twitch preset');
    const tracks = [
      { id: 0, type: 'video' as const, codec: 'h265' },
      { id: 1, type: 'audio' as const, codec: 'opus' },
      { id: 2, type: 'data' as const, codec: 'id3' },
    ];
    expect(codecProblems(twitch, tracks)).toEqual([
      'Twitch takes H.264 video, not H.265/HEVC (track 0)',
      'Twitch takes AAC audio, not Opus (track 1)',
    ]);
    expect(
      codecProblems(twitch, [
        { id: 0, type: 'video', codec: 'H264' },
        { id: 1, type: 'audio', codec: 'aac' },
      ]),
    ).toEqual([]);
    const generic = presetById('rtmp');
    if (generic === undefined) throw new Error('no rtmp preset');
    expect(codecProblems(generic, tracks)).toEqual([]);
  });
});
