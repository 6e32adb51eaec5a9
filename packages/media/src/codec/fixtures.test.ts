/** Codec configurations of the committed FLV fixtures against what ffprobe recorded for them. */
import { describe, expect, it } from 'vitest';
import { listFixtures, readExpectedPackets, readFixture } from '@sluice/test-support';
import { demuxFlvFile } from '../flv/test-support/flv-file.js';
import { buildAudioSpecificConfig, parseAudioSpecificConfig } from './aac.js';
import { buildAvcConfigFromNalUnits, buildAvcDecoderConfig, parseAvcDecoderConfig } from './avc.js';
import { annexBToLengthPrefixed, forEachNalUnit, lengthPrefixedToAnnexB } from './annexb.js';
import { parseH264Sps } from './h264-sps.js';

const H264_PROFILES: Record<string, number> = { Baseline: 66, 'Constrained Baseline': 66, Main: 77, High: 100 };

describe.each(listFixtures('flv'))('codec configuration of fixture %s', (name) => {
  const { tracks, packets } = demuxFlvFile(readFixture(name));
  const streams = readExpectedPackets(name).streams;

  it('SPS and AudioSpecificConfig agree with ffprobe; records rebuild byte for byte', () => {
    for (const track of tracks) {
      const stream = streams.find((s) => s.codec_type === track.kind);
      expect(stream).toBeDefined();
      if (track.codec === 'h264' && track.config) {
        const avcc = parseAvcDecoderConfig(track.config);
        const sps = parseH264Sps(avcc.sps[0] as Uint8Array);
        expect(sps.width).toBe(stream?.width);
        expect(sps.height).toBe(stream?.height);
        expect(sps.levelIdc).toBe(stream?.level);
        expect(sps.profileIdc).toBe(H264_PROFILES[String(stream?.profile)]);
        const [num, den] = String(stream?.r_frame_rate).split('/').map(Number);
        expect(sps.frameRate).toBeCloseTo((num as number) / (den as number), 6);
        expect(buildAvcDecoderConfig(avcc)).toEqual(track.config);
        expect(buildAvcConfigFromNalUnits([...avcc.sps, ...avcc.pps])).toEqual(track.config);
      }
      if (track.codec === 'aac' && track.config) {
        const asc = parseAudioSpecificConfig(track.config);
        expect(asc.sampleRate).toBe(Number(stream?.sample_rate));
        expect(asc.channels).toBe(stream?.channels);
        expect(buildAudioSpecificConfig(asc)).toEqual(track.config);
      }
    }
  });

  it('every video packet converts AVCC -> Annex B -> AVCC losslessly', () => {
    for (const p of packets) {
      const track = tracks.find((t) => t.id === p.trackId);
      if (track?.codec !== 'h264') continue;
      expect(forEachNalUnit(p.data, 4, () => undefined)).toBeGreaterThan(0);
      expect(annexBToLengthPrefixed(lengthPrefixedToAnnexB(p.data, 4), 4)).toEqual(p.data);
    }
  });
});
