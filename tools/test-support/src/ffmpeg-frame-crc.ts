/** ffmpeg as a receiver that decodes every frame it gets: one framecrc line per frame on stdout. */
import { startProcess, type PeerProcess } from './process.js';

/** An ffmpeg decoding its input into framecrc lines, with readers for what it printed. */
export interface FrameCrcReceiver extends PeerProcess {
  /** How many frames of output stream `index` it has listed so far. */
  frames(index: number): number;
  /**
   * Its stderr lines without the complaints a UDP input ends with (the read timeout that ends
   * it: "Input/output error", and "Last message repeated"): what is left is a real error.
   */
  errorsBeyondUdpTimeout(): string[];
}

/**
 * Starts ffmpeg reading `input` (a URL such as `udp://127.0.0.1:port?timeout=2000000` or
 * `tcp://127.0.0.1:port?listen=1`) and decoding the streams `map` selects, each frame
 * listed as a framecrc line on stdout (`<stream index>, dts, pts, duration, size, crc`).
 */
export function startFfmpegFrameCrc(input: string, map = '0'): FrameCrcReceiver {
  const ffmpeg = startProcess('ffmpeg', ['-nostdin', '-v', 'error', '-i', input, '-map', map, '-f', 'framecrc', '-']);
  return {
    ...ffmpeg,
    frames: (index) =>
      ffmpeg
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith(`${index},`)).length,
    errorsBeyondUdpTimeout: () =>
      ffmpeg
        .stderr()
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.includes('Input/output error') && !l.includes('Last message repeated')),
  };
}
