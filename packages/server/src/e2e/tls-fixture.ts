/**
 * TLS test fixture: a private CA, a Server.xml with TLS ports whose certificate lives at
 * `live.pem`/`live.key` in a temp folder (swapped by tests to exercise reloads), and
 * clients that report which certificate a new connection was served.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, type Agent } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { createPrivateCa, type PrivateCa } from './private-ca.js';

export const TLS_TOKEN = 'tls-e2e-token';
export const TLS_AUTH = `Basic ${Buffer.from(TLS_TOKEN).toString('base64')}`;

/** POSTs a startPush body to default/app on the plain HTTP API at `apiPort`, with the TLS world's token. */
export function startPushOverHttp(apiPort: number | undefined, body: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${apiPort}/v1/vhosts/default/apps/app:startPush`, {
    method: 'POST',
    headers: { authorization: TLS_AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Server.xml with plain and TLS ports (all 0 = free), certificate `live.pem`/`live.key`. */
export function tlsServerXml(extraApi = ''): string {
  return `<?xml version="1.0"?>
<Server version="8">
  <Bind>
    <Managers><API><Port>0</Port><TLSPort>0</TLSPort></API></Managers>
    <Providers><RTMP><Port>0</Port><TLSPort>0</TLSPort></RTMP></Providers>
  </Bind>
  <Managers>
    <Host><Names><Name>*</Name></Names><TLS><CertPath>live.pem</CertPath><KeyPath>live.key</KeyPath></TLS></Host>
    <API><AccessToken>${TLS_TOKEN}</AccessToken>${extraApi}</API>
  </Managers>
  <VirtualHosts><VirtualHost><Name>default</Name><Applications><Application><Name>app</Name>
    <Providers><RTMP/></Providers><Publishers><Push/></Publishers>
  </Application></Applications></VirtualHost></VirtualHosts>
</Server>
`;
}

/** A CA, two server certificates (`first`, `second`) and a config folder serving `first`. */
export interface TlsWorld {
  ca: PrivateCa;
  dir: string;
  configFile: string;
  /** Copies certificate `name` over live.pem/live.key. */
  install(name: 'first' | 'second'): void;
}

export async function createTlsWorld(extraApi = ''): Promise<TlsWorld> {
  const ca = await createPrivateCa();
  const certs = {
    first: await ca.serverCertificate('first'),
    second: await ca.serverCertificate('second'),
  };
  const dir = ca.dir;
  const install = (name: 'first' | 'second'): void => {
    copyFileSync(certs[name].certPath, join(dir, 'live.pem'));
    copyFileSync(certs[name].keyPath, join(dir, 'live.key'));
  };
  install('first');
  const configFile = join(dir, 'Server.xml');
  writeFileSync(configFile, tlsServerXml(extraApi));
  return { ca, dir, configFile, install };
}

/** The common name of the certificate a new TLS connection to 127.0.0.1:port gets (verified against `ca`). */
export function servedCommonName(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve(typeof cn === 'string' ? cn : String(cn));
    });
    socket.on('error', reject);
  });
}

/** A GET over https with the token; resolves with status, body, the local port and the served certificate's CN. */
export function httpsGet(
  port: number,
  path: string,
  options: { ca: string; agent?: Agent; auth?: boolean },
): Promise<{ status: number; body: string; localPort: number; commonName: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        ca: options.ca,
        agent: options.agent,
        headers: options.auth === false ? {} : { authorization: TLS_AUTH },
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const localPort = socket.localPort ?? 0;
        const commonName = String(socket.getPeerCertificate().subject?.CN);
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, localPort, commonName }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
