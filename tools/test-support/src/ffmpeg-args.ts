/** The argument list of an ffmpeg that copies one input to one output without re-encoding. */

/** What goes around `-i input -c copy … output`. */
export interface FfmpegCopyOptions {
  /** Options that apply to the input, before `-i` (`-re`, `-listen 1`, `-t 10`, `-f flv`, `-y`). */
  inputOptions?: readonly string[];
  /** The output format (`-f`); ffmpeg guesses it from the output name when absent. */
  format?: string;
  /** Options of the output, after the format (`-pes_payload_size 0`, `-map 0`, `-y`). */
  outputOptions?: readonly string[];
}

/** ffmpeg's arguments to copy `input` to `output` (`-c copy`), quiet but for errors, no stdin. */
export function ffmpegCopyArgs(input: string, output: string, options: FfmpegCopyOptions = {}): string[] {
  const { inputOptions = [], format, outputOptions = [] } = options;
  return [
    '-nostdin',
    '-v',
    'error',
    ...inputOptions,
    '-i',
    input,
    '-c',
    'copy',
    ...(format === undefined ? [] : ['-f', format]),
    ...outputOptions,
    output,
  ];
}
