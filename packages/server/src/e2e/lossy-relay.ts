/**
 * A lossy UDP relay in user space, for links that `tc netem` cannot impair (kernels without
 * sch_netem): between one sender and one receiver on 127.0.0.1 it drops, delays and reorders
 * datagrams like `netem loss L% delay D reorder R%` (R% of the datagrams skip the delay),
 * with a seeded generator so a run is repeatable.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';

/** What happens to datagrams going one way. */
export interface Impairment {
  lossPercent: number;
  delayMs?: number;
  /** Of the delayed datagrams, this share is sent at once (overtaking the others). */
  reorderPercent?: number;
}

/** A running relay: send to `port`; it forwards to the receiver and back. */
export interface LossyRelay {
  port: number;
  /** Datagrams dropped on the way to the receiver, and back to the sender. */
  dropped: { toReceiver: number; toSender: number };
  close: () => Promise<void>;
}

/** mulberry32: a small seeded generator in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts a relay on 127.0.0.1 to 127.0.0.1:receiverPort; `toReceiver` and `toSender` impair each way. */
export async function startLossyRelay(
  receiverPort: number,
  toReceiver: Impairment,
  toSender: Impairment,
  seed = 1,
): Promise<LossyRelay> {
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  const random = seeded(seed);
  const dropped = { toReceiver: 0, toSender: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let sender: RemoteInfo | undefined;
  let closed = false;
  const pass = (msg: Buffer, how: Impairment, send: (m: Buffer) => void, way: keyof typeof dropped): void => {
    if (random() * 100 < how.lossPercent) {
      dropped[way]++;
      return;
    }
    const delay = how.delayMs ?? 0;
    if (delay === 0 || random() * 100 < (how.reorderPercent ?? 0)) {
      send(msg);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) send(msg);
    }, delay);
    timers.add(timer);
  };
  front.on('message', (msg, rinfo) => {
    sender = rinfo;
    pass(msg, toReceiver, (m) => back.send(m), 'toReceiver');
  });
  back.on('message', (msg) => {
    const to = sender;
    if (to !== undefined) pass(msg, toSender, (m) => front.send(m, to.port, to.address), 'toSender');
  });
  front.on('error', () => undefined);
  back.on('error', () => undefined); // port unreachable while the receiver starts
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => back.connect(receiverPort, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    dropped,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all([front, back].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
