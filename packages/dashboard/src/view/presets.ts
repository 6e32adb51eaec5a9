/**
 * Destination presets of the "Start a push" form: the ingest url a platform gives,
 * the protocol the API takes for it, whether a stream key goes with it, and what the
 * platform needs (codecs, protocol) in words and as codec lists to check a stream's
 * tracks against. URLs are the platforms' published primary ingest points; the user
 * may edit them (a nearer ingest server, a per-account one).
 */
import type { StreamTrack } from '../api/api-types.js';
import { codecLabel } from './format.js';

/** The API's `protocol` field. */
export type PushProtocolName = 'rtmp' | 'mpegts' | 'srt';

/** One preset. */
export interface DestinationPreset {
  id: string;
  label: string;
  protocol: PushProtocolName;
  /** Filled into the URL field ('' for a generic preset: the user types it). */
  url: string;
  /** Placeholder of the URL field. */
  urlPlaceholder: string;
  /** True when the destination takes a stream key apart from the url (RTMP). */
  usesStreamKey: boolean;
  /** Video codecs the destination takes (lower-case API names). */
  video: readonly string[];
  /** Audio codecs the destination takes. */
  audio: readonly string[];
  /** What the platform needs, in words. */
  needs: string;
}

const ERTMP_VIDEO = ['h264', 'h265', 'av1', 'vp9'] as const;
const FLV_AUDIO = ['aac', 'mp3', 'opus'] as const;
const TS_VIDEO = ['h264', 'h265'] as const;
const TS_AUDIO = ['aac', 'mp3', 'opus'] as const;

/** Every preset, in menu order. */
export const DESTINATION_PRESETS: readonly DestinationPreset[] = [
  {
    id: 'youtube',
    label: 'YouTube',
    protocol: 'rtmp',
    url: 'rtmp://a.rtmp.youtube.com/live2',
    urlPlaceholder: 'rtmp://a.rtmp.youtube.com/live2',
    usesStreamKey: true,
    video: ['h264', 'h265', 'av1'],
    audio: ['aac'],
    needs:
      'RTMP with the stream key from YouTube Studio. H.264 video (HEVC or AV1 over Enhanced RTMP), AAC audio, a keyframe every 2 s.',
  },
  {
    id: 'youtube-backup',
    label: 'YouTube (backup)',
    protocol: 'rtmp',
    url: 'rtmp://b.rtmp.youtube.com/live2?backup=1',
    urlPlaceholder: 'rtmp://b.rtmp.youtube.com/live2?backup=1',
    usesStreamKey: true,
    video: ['h264', 'h265', 'av1'],
    audio: ['aac'],
    needs:
      "YouTube's backup ingest: the same stream key and the same codecs as the primary push (H.264/HEVC/AV1, AAC), sent alongside it.",
  },
  {
    id: 'twitch',
    label: 'Twitch',
    protocol: 'rtmp',
    url: 'rtmp://live.twitch.tv/app',
    urlPlaceholder: 'rtmp://live.twitch.tv/app',
    usesStreamKey: true,
    video: ['h264'],
    audio: ['aac'],
    needs: 'RTMP with the stream key from the Twitch dashboard. H.264 video, AAC audio, a keyframe every 2 s.',
  },
  {
    id: 'facebook',
    label: 'Facebook (RTMPS)',
    protocol: 'rtmp',
    url: 'rtmps://live-api-s.facebook.com:443/rtmp',
    urlPlaceholder: 'rtmps://live-api-s.facebook.com:443/rtmp',
    usesStreamKey: true,
    video: ['h264'],
    audio: ['aac'],
    needs: 'RTMPS only (TLS, port 443). H.264 video, AAC audio at 48 kHz, a keyframe every 2 s.',
  },
  {
    id: 'kick',
    label: 'Kick',
    protocol: 'rtmp',
    url: 'rtmps://fa723fc1b171.global-contribute.live-video.net/app',
    urlPlaceholder: 'rtmps://fa723fc1b171.global-contribute.live-video.net/app',
    usesStreamKey: true,
    video: ['h264'],
    audio: ['aac'],
    needs:
      "RTMPS with the stream URL and key from Kick's creator dashboard. H.264 video, AAC audio, a keyframe every 2 s.",
  },
  {
    id: 'rtmp',
    label: 'RTMP (any server)',
    protocol: 'rtmp',
    url: '',
    urlPlaceholder: 'rtmp://host[:port]/app',
    usesStreamKey: true,
    video: ERTMP_VIDEO,
    audio: FLV_AUDIO,
    needs:
      'rtmp://host[:port]/app plus a stream key (or the key as the last path segment). H.264 and AAC for every server; HEVC, AV1, VP9 and Opus only for servers with Enhanced RTMP.',
  },
  {
    id: 'rtmps',
    label: 'RTMPS (any server)',
    protocol: 'rtmp',
    url: '',
    urlPlaceholder: 'rtmps://host[:port]/app',
    usesStreamKey: true,
    video: ERTMP_VIDEO,
    audio: FLV_AUDIO,
    needs: 'rtmps://host[:port]/app (TLS, port 443 by default) plus a stream key; codecs as for RTMP.',
  },
  {
    id: 'srt',
    label: 'SRT',
    protocol: 'srt',
    url: '',
    urlPlaceholder: 'srt://host:port?streamid=…&latency=120000',
    usesStreamKey: false,
    video: TS_VIDEO,
    audio: TS_AUDIO,
    needs:
      'srt://host:port with options in the query (streamid, latency in µs, passphrase + pbkeylen). MPEG-TS inside: H.264 or HEVC video, AAC, MP3 or Opus audio.',
  },
  {
    id: 'mpegts-udp',
    label: 'MPEG-TS over UDP',
    protocol: 'mpegts',
    url: '',
    urlPlaceholder: 'udp://host:port',
    usesStreamKey: false,
    video: TS_VIDEO,
    audio: TS_AUDIO,
    needs:
      'udp://host:port (unicast or multicast); 7 TS packets per datagram. H.264 or HEVC video, AAC, MP3 or Opus audio.',
  },
  {
    id: 'mpegts-tcp',
    label: 'MPEG-TS over TCP',
    protocol: 'mpegts',
    url: '',
    urlPlaceholder: 'tcp://host:port',
    usesStreamKey: false,
    video: TS_VIDEO,
    audio: TS_AUDIO,
    needs: 'tcp://host:port, a TS byte stream. H.264 or HEVC video, AAC, MP3 or Opus audio.',
  },
];

/** The preset with that id, or undefined. */
export function presetById(id: string): DestinationPreset | undefined {
  return DESTINATION_PRESETS.find((p) => p.id === id);
}

/**
 * What a destination cannot take of the chosen tracks, one sentence per track, e.g.
 * `Twitch takes H.264 video, not H.265/HEVC (track 0)`. Data tracks are not judged.
 */
export function codecProblems(preset: DestinationPreset, tracks: readonly StreamTrack[]): string[] {
  const problems: string[] = [];
  for (const track of tracks) {
    if (track.type === 'data') continue;
    const accepted = track.type === 'video' ? preset.video : preset.audio;
    if (accepted.includes(track.codec.toLowerCase())) continue;
    problems.push(
      `${preset.label} takes ${accepted.map(codecLabel).join(', ')} ${track.type}, not ${codecLabel(track.codec)} (track ${track.id})`,
    );
  }
  return problems;
}
