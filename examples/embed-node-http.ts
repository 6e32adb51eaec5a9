/**
 * Embedding Sluice in an existing node:http application.
 *
 * Your app keeps its own HTTP server and routes; Sluice's REST API is mounted under
 * `/media-api`, and its RTMP ingest listens on its own port. Run from the repository:
 *
 *   pnpm exec tsx examples/embed-node-http.ts
 *   ffmpeg -re -stream_loop -1 -i test-fixtures/h264-baseline-aac.flv -c copy -f flv rtmp://127.0.0.1:1935/app/stream
 *   curl -H "Authorization: Basic $(printf ome-access-token | base64)" \
 *        -X POST http://127.0.0.1:3000/media-api/v1/vhosts/default/apps/app:pushes
 */
import { createServer } from 'node:http';
import { createNodeHandler } from '@sluice/http';
import { createLogger, createSluiceServer } from '@sluice/server';

const sluice = createSluiceServer({
  host: '127.0.0.1',
  listenApi: false, // the API is served by the app's own HTTP server below
  dataDir: './data',
  logger: createLogger({ level: 'info' }),
});

// The app's own routes, with Sluice's API under /media-api (requests outside it fall through).
const mediaApi = createNodeHandler(sluice.apiHandler, { prefix: '/media-api' });
const app = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok, ${sluice.pushes().length} push(es)\n`);
    return;
  }
  mediaApi(req, res, () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'));
});

// React to push state changes (e.g. to notify your users).
sluice.events.on('pushChange', (change) => console.log(`push ${change.id}: ${change.from ?? 'new'} -> ${change.to}`));

const { rtmpPort } = await sluice.listen();
app.listen(3000, '127.0.0.1', () =>
  console.log(`app on http://127.0.0.1:3000 (Sluice API under /media-api), RTMP ingest on ${rtmpPort}`),
);

const shutdown = (): void => {
  app.close();
  void sluice.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
