/**
 * The API's listening sockets: plain HTTP and (with a certificate) HTTPS, both with
 * the bounds of `<Managers><API><Limits>` for slow and idle clients: headers and whole
 * request deadlines checked every second, a keep-alive idle timeout, a TLS handshake
 * deadline and a cap on simultaneous connections. Slowloris clients are cut off by
 * these, never by the media path.
 */
import { createServer, type Server as HttpServer, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, DropArgument } from 'node:net';
import type { NodeRequestHandler } from '@sluice/http';
import type { ApiLimitsConfig } from '../config/security-config.js';
import type { Logger } from '../log/logger.js';
import type { TlsCertificate } from '../tls/tls-certificate.js';

/** How often node:http checks the headers and request deadlines (its default is 30 s). */
const DEADLINE_CHECK_INTERVAL_MS = 1000;

/** Creates the API server (HTTPS when `certificate` is given); not listening yet. */
export function createApiListener(
  handler: NodeRequestHandler,
  limits: ApiLimitsConfig,
  log: Logger,
  certificate?: TlsCertificate,
): HttpServer {
  const options: ServerOptions = {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS,
  };
  let server: HttpServer;
  if (certificate === undefined) server = createServer(options, handler);
  else {
    const https = createHttpsServer(
      { ...options, ...certificate.options, handshakeTimeout: limits.headersTimeoutMs },
      handler,
    );
    https.on('tlsClientError', (error, socket) =>
      log.debug(`API TLS handshake failed: ${error.message}`, {
        remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      }),
    );
    certificate.serve(https);
    server = https;
  }
  server.maxConnections = limits.maxConnections;
  server.on('connection', (socket) =>
    log.debug('API connection', {
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      tls: certificate !== undefined,
    }),
  );
  server.on('drop', (data?: DropArgument) =>
    log.warn(`API connection refused: more than ${limits.maxConnections} open`, {
      remote: data === undefined ? undefined : `${data.remoteAddress}:${data.remotePort}`,
    }),
  );
  return server;
}

/** Listens; resolves with the bound port. */
export async function listenOn(server: HttpServer, port: number, host: string | undefined): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Closes the server and every connection it still holds. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
