/**
 * A webhook receiver for Sluice's `<Managers><Webhooks>`: checks `X-Sluice-Signature`
 * over the raw body, refuses replays older than 5 minutes, skips an event it already has
 * (deliveries are at least once: a retry may repeat an event whose answer was lost), and
 * prints one line per event. It uses node:crypto only, so it ports to any language;
 * `verifySignature` of `@sluice/server` does the same check.
 *
 *   SLUICE_WEBHOOK_SECRET=change-me pnpm exec tsx examples/webhook-receiver.ts   # PORT=9000 by default
 *
 * with, in Server.xml:
 *
 *   <Managers>
 *     <Webhooks><Webhook>
 *       <Url>http://127.0.0.1:9000/sluice</Url><SecretKey>change-me</SecretKey>
 *       <Events>push.* stream.published stream.ended</Events>
 *     </Webhook></Webhooks>
 *   </Managers>
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const secret = process.env['SLUICE_WEBHOOK_SECRET'];
if (secret === undefined || secret === '') {
  console.error('set SLUICE_WEBHOOK_SECRET to the <SecretKey> of the <Webhook>');
  process.exit(2);
}
const host = process.env['HOST'] ?? '127.0.0.1';
const port = Number(process.env['PORT'] ?? 9000);
const REPLAY_WINDOW_S = 300;
/** Ids of the last events seen (a retry of a delivered event is answered 200 and not printed again). */
const seen = new Set<string>();

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; several v1 during a key rotation. */
function signatureProblem(header: string | undefined, body: Buffer, key: string): string | undefined {
  if (header === undefined) return 'no X-Sluice-Signature';
  let t: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d+$/.test(value)) t = Number(value);
    if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (t === undefined || signatures.length === 0) return 'malformed X-Sluice-Signature';
  if (Math.abs(Date.now() / 1000 - t) > REPLAY_WINDOW_S) return 'timestamp outside the replay window';
  const expected = createHmac('sha256', key).update(`${t}.`).update(body).digest();
  return signatures.some((s) => timingSafeEqual(s, expected)) ? undefined : 'signature mismatch';
}

/** One line about an event: what it is about. */
function describe(event: Record<string, unknown>): string {
  const push = event['push'] as { id?: string; state?: string; lastError?: string } | undefined;
  const stream = event['stream'] as { vhost?: string; app?: string; name?: string } | string | undefined;
  if (push !== undefined) return `push ${push.id} ${push.state}${push.lastError ? ` (${push.lastError})` : ''}`;
  if (typeof stream === 'object') return `stream ${stream.vhost}/${stream.app}/${stream.name}`;
  return `stream ${String(event['vhost'])}/${String(event['app'])}/${String(stream)}: ${String(event['reason'])}`;
}

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer, key: string): void {
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const problem = signatureProblem(req.headers['x-sluice-signature'] as string | undefined, body, key);
  if (problem !== undefined) {
    console.error(`refused: ${problem}`);
    return void res.writeHead(401).end();
  }
  const id = String(req.headers['x-sluice-event-id']);
  // answer at once; do slow work elsewhere (Sluice waits at most <Timeout> and then retries)
  res.writeHead(204).end();
  if (seen.has(id)) return;
  seen.add(id);
  if (seen.size > 10_000) seen.delete(seen.values().next().value as string);
  const event = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  console.log(`${id} ${String(event['type'])} ${describe(event)}`);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => handle(req, res, Buffer.concat(chunks), secret));
});
server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`listening on http://${host}:${bound}/`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
