/**
 * Codec framing conversion throughput on the video/audio packets of an FLV file:
 * AVCC → Annex B (`writeAnnexB` into one reused buffer), Annex B → AVCC
 * (`writeLengthPrefixed`), and ADTS wrapping of the AAC frames (`writeAdtsHeader` + copy).
 * The file is demuxed into memory first (not timed); each conversion runs over all packets
 * and prints one JSON line per conversion with payload MB/s.
 *
 * Usage: node --import tsx tools/bench/codec-convert.ts FILE.flv
 * (tools/bench/run-codec-convert.sh runs it as a CommonJS bundle beside ffmpeg)
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  FlvReader,
  FlvTagDemuxer,
  adtsConfigFromAudioSpecificConfig,
  annexBSizeOf,
  lengthPrefixedSizeOf,
  parseAudioSpecificConfig,
  writeAdtsHeader,
  writeAnnexB,
  writeLengthPrefixed,
  type AdtsConfig,
} from '@sluice/media';

const file = process.argv[2];
if (!file) {
  console.error('usage: codec-convert.ts FILE.flv');
  process.exit(2);
}
const bytes = new Uint8Array(readFileSync(file));
const reader = new FlvReader();
const demuxer = new FlvTagDemuxer();
const video: Uint8Array[] = [];
const audio: Uint8Array[] = [];
let adts: AdtsConfig | undefined;
for (const tag of reader.push(bytes)) {
  const ev = demuxer.demux(tag.type, tag.timestamp, tag.data);
  if (ev.kind === 'track' && ev.track.codec === 'aac' && ev.track.config)
    adts = adtsConfigFromAudioSpecificConfig(parseAudioSpecificConfig(ev.track.config));
  if (ev.kind !== 'packet') continue;
  (ev.packet.trackId === 0 ? video : audio).push(ev.packet.data);
}
reader.end();

const out = new Uint8Array(8 * 1024 * 1024);
function run(name: string, inputs: Uint8Array[], convert: (src: Uint8Array) => number): void {
  let inBytes = 0;
  let outBytes = 0;
  const start = performance.now();
  for (const src of inputs) {
    inBytes += src.length;
    outBytes += convert(src);
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    JSON.stringify({
      tool: name,
      packets: inputs.length,
      inBytes,
      outBytes,
      seconds: Number(seconds.toFixed(4)),
      MBps: Number((inBytes / 1e6 / seconds).toFixed(1)),
    }),
  );
}

// warm-up pass, then the measured passes
const annexB: Uint8Array[] = video.map((p) => {
  const dest = new Uint8Array(annexBSizeOf(p, 4));
  writeAnnexB(p, 4, dest, 0);
  return dest;
});
run('sluice writeAnnexB (AVCC -> Annex B, reused buffer)', video, (src) => writeAnnexB(src, 4, out, 0));
run('sluice annexBSizeOf + writeAnnexB', video, (src) =>
  annexBSizeOf(src, 4) > out.length ? 0 : writeAnnexB(src, 4, out, 0),
);
run('sluice writeLengthPrefixed (Annex B -> AVCC, reused buffer)', annexB, (src) =>
  writeLengthPrefixed(src, 4, out, 0),
);
run('sluice lengthPrefixedSizeOf + writeLengthPrefixed', annexB, (src) =>
  lengthPrefixedSizeOf(src, 4) > out.length ? 0 : writeLengthPrefixed(src, 4, out, 0),
);
if (adts) {
  const cfg = adts;
  run('sluice writeAdtsHeader + copy (AAC -> ADTS)', audio, (src) => {
    writeAdtsHeader(out, 0, cfg, src.length);
    out.set(src, 7);
    return src.length + 7;
  });
}
