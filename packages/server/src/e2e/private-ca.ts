/**
 * A private certificate authority made with the real `openssl` for TLS tests: a CA
 * and server certificates for 127.0.0.1 / localhost signed by it, as PEM files in a
 * temp folder. Each server certificate has its own serial and common name, so a test
 * can tell which one a connection got.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@sluice/test-support';

/** The CA of a test. */
export interface PrivateCa {
  dir: string;
  /** CA certificate file (PEM) and its text. */
  caPath: string;
  caPem: string;
  /** Makes a server certificate for 127.0.0.1 and localhost named `name`; returns its files. */
  serverCertificate(name: string): Promise<{ certPath: string; keyPath: string; certPem: string }>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await runCommand('sh', ['-c', `cd '${cwd}' && openssl ${args.map((a) => `'${a}'`).join(' ')}`], 30_000);
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/** Makes a fresh CA (EC P-256 keys: fast on a busy machine). */
export async function createPrivateCa(): Promise<PrivateCa> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ca-'));
  await openssl(
    ['req', '-x509', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'].concat([
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Sluice Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    dir,
  );
  const caPath = join(dir, 'ca.pem');
  return {
    dir,
    caPath,
    caPem: readFileSync(caPath, 'utf8'),
    async serverCertificate(name) {
      writeFileSync(
        join(dir, `${name}.ext`),
        'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
      );
      await openssl(
        ['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'].concat([
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.csr`,
          '-subj',
          `/CN=${name}`,
        ]),
        dir,
      );
      await openssl(
        ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
          '-out',
          `${name}.pem`,
          '-days',
          '2',
          '-extfile',
          `${name}.ext`,
        ]),
        dir,
      );
      const certPath = join(dir, `${name}.pem`);
      return { certPath, keyPath: join(dir, `${name}.key`), certPem: readFileSync(certPath, 'utf8') };
    },
  };
}
