/**
 * The mediabunny peer of ts-remux.ts: the same remuxes with mediabunny's MPEG-TS output.
 * FLV → TS: mediabunny has no FLV input, so the FLV is read with Sluice's FlvReader +
 * FlvTagDemuxer (as in ts-remux.ts) and every packet goes through mediabunny's
 * EncodedVideoPacketSource / EncodedAudioPacketSource into MpegTsOutputFormat.
 * TS → TS: mediabunny's own MPEG_TS input and Conversion (stream copy).
 * Prints one JSON line like ts-remux.ts.
 *
 * Usage: node --import tsx tools/bench/ts-remux-mediabunny.ts IN.flv|IN.ts OUT.ts
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  Conversion,
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedVideoPacketSource,
  FilePathSource,
  FilePathTarget,
  Input,
  MPEG_TS,
  MpegTsOutputFormat,
  Output,
} from 'mediabunny';
import { FlvReader, FlvTagDemuxer, type TrackInfo } from '@sluice/media';

/** What mediabunny is told of the FLV's H.264 track with its first packet (High profile, the avcC). */
const avcDecoderConfig = (track: TrackInfo): VideoDecoderConfig => ({
  codec: 'avc1.64001f',
  codedWidth: track.width ?? 1280,
  codedHeight: track.height ?? 720,
  description: track.config,
});

/** What mediabunny is told of the FLV's AAC track with its first packet (AAC-LC, the AudioSpecificConfig). */
const aacDecoderConfig = (track: TrackInfo): AudioDecoderConfig => ({
  codec: 'mp4a.40.2',
  sampleRate: track.sampleRate ?? 48000,
  numberOfChannels: track.channels ?? 2,
  description: track.config,
});

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: ts-remux-mediabunny.ts IN.flv|IN.ts OUT.ts');
  process.exit(2);
}
const size = statSync(input).size;
let packets = 0;
const start = performance.now();
const cpuStart = process.cpuUsage();

if (input.endsWith('.flv')) {
  const out = new Output({ format: new MpegTsOutputFormat(), target: new FilePathTarget(output) });
  const video = new EncodedVideoPacketSource('avc');
  const audio = new EncodedAudioPacketSource('aac');
  out.addVideoTrack(video);
  out.addAudioTrack(audio);
  await out.start();
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  const fd = openSync(input, 'r');
  let tracks: TrackInfo[] | undefined;
  let firstVideo = true;
  let firstAudio = true;
  for (;;) {
    const chunk = Buffer.allocUnsafeSlow(1 << 20);
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    for (const tag of reader.push(n === chunk.length ? chunk : chunk.subarray(0, n))) {
      const ev = demuxer.demux(tag.type, tag.timestamp, tag.data);
      if (ev.kind !== 'packet') continue;
      tracks ??= demuxer.tracks;
      const p = ev.packet;
      const track = tracks.find((t) => t.id === p.trackId)!;
      packets++;
      if (track.kind === 'video') {
        const packet = new EncodedPacket(p.data, p.key ? 'key' : 'delta', p.pts / 1000, 1 / 30);
        await video.add(packet, firstVideo ? { decoderConfig: avcDecoderConfig(track) } : undefined);
        firstVideo = false;
      } else {
        const packet = new EncodedPacket(p.data, 'key', p.pts / 1000, 1024 / (track.sampleRate ?? 48000));
        await audio.add(packet, firstAudio ? { decoderConfig: aacDecoderConfig(track) } : undefined);
        firstAudio = false;
      }
    }
  }
  closeSync(fd);
  await out.finalize();
} else {
  const conversion = await Conversion.init({
    input: new Input({ formats: [MPEG_TS], source: new FilePathSource(input) }),
    output: new Output({ format: new MpegTsOutputFormat(), target: new FilePathTarget(output) }),
  });
  await conversion.execute();
}
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
console.log(
  JSON.stringify({
    tool: `mediabunny ${input.endsWith('.flv') ? 'FLV' : 'TS'} → TS`,
    input,
    bytes: size,
    outBytes: statSync(output).size,
    packets,
    startupSeconds: Number((start / 1000).toFixed(3)),
    seconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    MBps: Number((size / 1e6 / seconds).toFixed(1)),
    peakRssMB: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
  }),
);
