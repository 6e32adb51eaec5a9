/**
 * The RTMPS ingest port: a TLS listener whose decrypted connections go to the RTMP
 * ingest like plain ones (rtmps://HOST:TLSPort/{app}/{stream}). The certificate
 * follows reloads (TlsCertificate.serve).
 */
import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server as TlsServer } from 'node:tls';
import type { Logger } from '../log/logger.js';
import type { TlsCertificate } from '../tls/tls-certificate.js';

/** Deadline for a TLS handshake on the ingest port. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Most simultaneous RTMPS connections (the plain port has its own cap). */
const MAX_CONNECTIONS = 1000;

/** Opens the RTMPS port; resolves with the listener and its bound port. */
export async function listenRtmps(
  accept: (socket: Socket) => void,
  certificate: TlsCertificate,
  host: string | undefined,
  port: number,
  log: Logger,
): Promise<{ server: TlsServer; port: number }> {
  const server = createServer({ ...certificate.options, handshakeTimeout: HANDSHAKE_TIMEOUT_MS }, (socket) =>
    accept(socket),
  );
  server.maxConnections = MAX_CONNECTIONS;
  server.on('tlsClientError', (error, socket) =>
    log.info(`RTMPS handshake failed: ${error.message}`, {
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
    }),
  );
  certificate.serve(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
