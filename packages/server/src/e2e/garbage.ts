/**
 * Hostile input for end-to-end robustness tests: random bytes and broken RTMP on the
 * ingest port, malformed REST calls. Every connection is bounded in time and closed.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Opens a TCP connection to 127.0.0.1:port (rejects on error). */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes, waits `holdMs`, closes; errors (the server hanging up on us) are expected. */
async function sendAndClose(port: number, parts: Uint8Array[], holdMs: number): Promise<void> {
  const s = await open(port).catch(() => undefined);
  if (s === undefined) return;
  s.on('error', () => undefined);
  s.on('data', () => undefined);
  for (const p of parts) if (!s.destroyed) s.write(p);
  await new Promise((r) => setTimeout(r, holdMs));
  s.destroy();
}

/** Reads exactly `n` bytes from a socket (or fewer if it closes / 3 s pass). */
function readBytes(s: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (): void => {
      clearTimeout(timer);
      s.off('data', onData);
      resolve(Buffer.concat(chunks));
    };
    const onData = (d: Buffer): void => {
      chunks.push(d);
      got += d.length;
      if (got >= n) done();
    };
    const timer = setTimeout(done, 3000);
    s.on('data', onData);
    s.once('close', done);
  });
}

/** A plain RTMP handshake as a client: C0 C1, read S0 S1 S2, send C2. */
async function handshake(port: number): Promise<Socket | undefined> {
  const s = await open(port).catch(() => undefined);
  if (s === undefined) return undefined;
  s.on('error', () => undefined);
  const c1 = randomBytes(1536);
  c1.fill(0, 0, 8); // time = 0, zero = 0: the simple handshake
  s.write(Buffer.concat([Buffer.from([3]), c1]));
  const reply = await readBytes(s, 1 + 1536 + 1536);
  if (reply.length < 3073) {
    s.destroy();
    return undefined;
  }
  s.write(reply.subarray(1, 1537)); // C2 = S1
  return s;
}

/** fmt 0 chunk header on csid 3: timestamp 0, message length, type, stream id 1. */
function chunkHeader(length: number, type: number, csid = 3): Buffer {
  const h = Buffer.alloc(12);
  h[0] = csid; // fmt 0
  h.writeUIntBE(0, 1, 3);
  h.writeUIntBE(length, 4, 3);
  h[7] = type;
  h.writeUInt32LE(1, 8);
  return h;
}

/** Throws garbage at an RTMP port: random bytes, half handshakes, oversized and nonsensical chunks. */
export async function attackRtmpPort(port: number): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  // random bytes, from tiny to 256 KiB, some starting with the right version byte
  for (let i = 0; i < 20; i++) {
    const junk = randomBytes(1 + Math.floor(Math.random() * 256 * 1024));
    if (i % 2 === 0) junk[0] = 3;
    jobs.push(sendAndClose(port, [junk], 200));
  }
  // half handshakes: C0 alone, C0 + part of C1, C0 + C1 then silence
  jobs.push(sendAndClose(port, [Buffer.from([3])], 1500));
  jobs.push(sendAndClose(port, [Buffer.from([3]), randomBytes(700)], 1500));
  jobs.push(sendAndClose(port, [Buffer.from([3]), randomBytes(1536)], 1500));
  jobs.push(sendAndClose(port, [Buffer.from([6]), randomBytes(1536)], 500)); // unknown version
  // after a real handshake: oversized messages and chunk sizes, then junk
  const afterHandshake = async (parts: Buffer[]): Promise<void> => {
    const s = await handshake(port);
    if (s === undefined) return;
    for (const p of parts) if (!s.destroyed) s.write(p);
    await new Promise((r) => setTimeout(r, 500));
    s.destroy();
  };
  const setChunkSize = (size: number): Buffer => {
    const body = Buffer.alloc(4);
    body.writeUInt32BE(size >>> 0, 0);
    return Buffer.concat([chunkHeader(4, 1, 2), body]);
  };
  jobs.push(
    afterHandshake([chunkHeader(0xffffff, 9), randomBytes(128), chunkHeader(0xffffff, 9, 4), randomBytes(128)]),
  );
  jobs.push(afterHandshake([setChunkSize(0x7fffffff), chunkHeader(0xffffff, 9), randomBytes(2 * 1024 * 1024)]));
  jobs.push(afterHandshake([setChunkSize(0xffffffff), randomBytes(64 * 1024)]));
  jobs.push(
    afterHandshake([setChunkSize(1), ...Array.from({ length: 50 }, (_, i) => chunkHeader(0xffffff, 8, 3 + i))]),
  );
  jobs.push(afterHandshake([chunkHeader(60_000, 20), randomBytes(60_000)])); // an AMF0 "command" of junk
  jobs.push(afterHandshake([randomBytes(100_000)]));
  await Promise.all(jobs);
}

/** One malformed or unauthorised REST call of many kinds (index picks the kind). */
export function malformedApiCall(apiPort: number, token: string, index: number): Promise<number> {
  const auth = `Basic ${Buffer.from(token).toString('base64')}`;
  const base = `http://127.0.0.1:${apiPort}`;
  const app = '/v1/vhosts/default/apps/app';
  const kinds: Array<() => { path: string; init: RequestInit }> = [
    () => ({ path: `${app}:startPush`, init: { method: 'POST', headers: { authorization: auth }, body: '{"id": ' } }),
    () => ({ path: `${app}:startPush`, init: { method: 'POST', headers: { authorization: auth }, body: '[1,2,3]' } }),
    () => ({
      path: `${app}:startPush`,
      init: {
        method: 'POST',
        headers: { authorization: auth },
        body: JSON.stringify({ stream: { name: 7, tracks: 'x' }, protocol: 1 }),
      },
    }),
    () => ({
      path: `${app}:startPush`,
      init: {
        method: 'POST',
        headers: { authorization: auth },
        body: JSON.stringify({ stream: { name: 'cam' }, protocol: 'rtmp', url: 'http://x', streamKey: 'k' }),
      },
    }),
    () => ({
      path: `${app}:startPush`,
      init: {
        method: 'POST',
        headers: { authorization: auth },
        body: JSON.stringify({
          stream: { name: 'cam', tracks: [99] },
          protocol: 'rtmp',
          url: 'rtmp://127.0.0.1:1/x',
          streamKey: 'k',
        }),
      },
    }),
    () => ({
      path: `${app}:startPush`,
      init: { method: 'POST', headers: { authorization: auth }, body: 'x'.repeat(70 * 1024) },
    }),
    () => ({
      path: `${app}:stopPush`,
      init: { method: 'POST', headers: { authorization: auth }, body: JSON.stringify({ id: `nope-${index}` }) },
    }),
    () => ({ path: `${app}:stopPush`, init: { method: 'POST', headers: { authorization: auth }, body: '{}' } }),
    () => ({ path: `${app}:pushes`, init: { method: 'POST', headers: { authorization: 'Basic !!!' }, body: '{}' } }),
    () => ({ path: `${app}:pushes`, init: { method: 'POST', headers: { authorization: `Bearer ${token}` } } }),
    () => ({ path: `${app}:pushes`, init: { method: 'POST' } }),
    () => ({
      path: `/v1/vhosts/${randomBytes(8).toString('hex')}/apps/app:pushes`,
      init: { method: 'POST', headers: { authorization: auth } },
    }),
    () => ({
      path: `/v1/${randomBytes(6).toString('base64url')}%00%ff/..`,
      init: { method: 'GET', headers: { authorization: auth } },
    }),
    () => ({ path: `${app}:explode`, init: { method: 'DELETE', headers: { authorization: auth } } }),
    () => ({
      path: `${app}:startPush`,
      init: { method: 'POST', headers: { authorization: auth, 'content-type': 'text/plain' }, body: randomBytes(512) },
    }),
  ];
  const { path, init } = kinds[index % kinds.length]!();
  return fetch(base + path, init).then(
    async (res) => {
      await res.arrayBuffer();
      return res.status;
    },
    () => -1,
  );
}
