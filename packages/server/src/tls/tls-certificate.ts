/**
 * The certificate of the TLS ports (HTTPS API, RTMPS ingest): read from the PEM files
 * of `<Managers><Host><TLS>`, checked by building a secure context, and reloaded on
 * demand (SIGHUP) into every TLS listener with setSecureContext: connections already
 * open keep the certificate they were made with, new ones get the new one.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import { ConfigError } from '../config/config-error.js';
import type { TlsFilesConfig } from '../config/security-config.js';

/** Oldest TLS version accepted on every TLS port. */
const TLS_MIN_VERSION = 'TLSv1.2';

/** Reads one PEM file; a missing or unreadable file is a ConfigError naming it. */
function readPem(path: string, what: string, marker: RegExp): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the TLS ${what} file: ${(e as Error).message}`, path, undefined, undefined);
  }
  if (!marker.test(text))
    throw new ConfigError(`the TLS ${what} file holds no PEM ${what}`, path, undefined, undefined);
  return text;
}

/** Reads the files and checks that key and certificate make a usable context. Throws ConfigError naming the file. */
function loadTlsCredentials(files: TlsFilesConfig): SecureContextOptions {
  const cert = readPem(files.certPath, 'certificate', /-----BEGIN CERTIFICATE-----/);
  const key = readPem(files.keyPath, 'key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  const chain =
    files.chainCertPath === undefined
      ? ''
      : readPem(files.chainCertPath, 'chain certificate', /-----BEGIN CERTIFICATE-----/);
  const credentials: SecureContextOptions = {
    cert: chain === '' ? cert : `${cert.trimEnd()}\n${chain}`,
    key,
    minVersion: TLS_MIN_VERSION,
  };
  try {
    createSecureContext(credentials);
  } catch (e) {
    throw new ConfigError(
      `the TLS certificate and key do not make a usable pair (key ${files.keyPath}): ${(e as Error).message}`,
      files.certPath,
      undefined,
      undefined,
    );
  }
  return credentials;
}

/** The current certificate and the TLS listeners that serve it. */
export class TlsCertificate {
  private credentials: SecureContextOptions;
  private readonly servers = new Set<TlsServer>();

  /** Loads the files now (throws ConfigError naming the file). */
  constructor(private readonly files: TlsFilesConfig) {
    this.credentials = loadTlsCredentials(files);
  }

  /** Options for tls.createServer / https.createServer (certificate, key, minimum version). */
  get options(): SecureContextOptions {
    return this.credentials;
  }

  /** Makes `server` follow reloads (until it closes). */
  serve(server: TlsServer): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  /**
   * Reads the files again and hands the new certificate to every listener. Throws
   * ConfigError (naming the file) and keeps the old certificate when the new one is unusable.
   */
  reload(): void {
    const credentials = loadTlsCredentials(this.files);
    this.credentials = credentials;
    for (const server of this.servers) server.setSecureContext(credentials);
  }
}
