/** libsrt publishers calling the server's SRT listener: srt-live-transmit fed over UDP, and GStreamer's srtsink. */
import { freeUdpPort, startProcess, type PeerProcess } from '@sluice/test-support';
import { sleep } from './harness.js';
import { startFfmpegTsPublisher } from './peers.js';

/**
 * srt-live-transmit relaying udp:// to `srtUrl`, fed by ffmpeg publishing the MPEG-TS
 * `source` in real time into it; resolves with both processes once the relay's input is bound.
 */
export async function startSltPublisher(srtUrl: string, source: string): Promise<PeerProcess[]> {
  const feedPort = await freeUdpPort();
  const slt = startProcess('srt-live-transmit', ['-q', `udp://127.0.0.1:${feedPort}`, srtUrl]);
  await sleep(500); // its udp:// input is bound
  return [slt, startFfmpegTsPublisher(`udp://127.0.0.1:${feedPort}?pkt_size=1316`, source)];
}

/**
 * Starts GStreamer publishing the MPEG-TS file at `file` in real time through srtsink to
 * `uri` (`srt://127.0.0.1:PORT?mode=caller&streamid=…`), with these srtsink properties
 * (`latency=120`, `passphrase=…`, `pbkeylen=32`).
 */
export function startGstSrtPublisher(file: string, uri: string, properties: string[]): PeerProcess {
  return startProcess('gst-launch-1.0', [
    '-q',
    'filesrc',
    `location=${file}`,
    '!',
    'tsparse',
    'set-timestamps=true',
    '!',
    'srtsink',
    `uri=${uri}`,
    ...properties,
    'sync=true',
  ]);
}
