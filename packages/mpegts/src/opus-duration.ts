/** Duration of an Opus packet from its TOC byte (RFC 6716 §3.1). */

/** Samples at 48 kHz in one Opus packet (0 when the packet is empty or malformed). */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const config = toc >> 3;
  // frame size in 48 kHz samples: SILK 10/20/40/60 ms, Hybrid 10/20 ms, CELT 2.5/5/10/20 ms
  let frame: number;
  if (config < 12) frame = [480, 960, 1920, 2880][config & 3]!;
  else if (config < 16) frame = [480, 960][config & 1]!;
  else frame = [120, 240, 480, 960][config & 3]!;
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 3) frames = (packet[1] ?? 0) & 0x3f;
  else frames = 2;
  return frame * frames;
}
