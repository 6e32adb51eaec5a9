/** Sends packets through an RtmpPublisher as fast as the socket accepts them (waits for drain). */
import type { MediaPacket } from '@sluice/media';
import type { RtmpPublisher } from '../client/rtmp-publisher.js';

/**
 * Sends every packet in order, waiting for onDrain whenever send() returns false.
 * Rejects with the publisher's error if the session fails meanwhile.
 */
export async function publishAll(publisher: RtmpPublisher, packets: Iterable<MediaPacket>): Promise<void> {
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  publisher.onDrain(() => wake?.());
  publisher.onError((e) => {
    failure = e;
    wake?.();
  });
  for (const packet of packets) {
    if (failure !== undefined) throw failure;
    if (!publisher.send(packet)) {
      if (!publisher.isOpen) throw failure ?? new Error('RTMP publisher closed');
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  if (failure !== undefined) throw failure;
}
