/** Fuzz targets of @sluice/server and @sluice/push: Server.xml, StreamMap XML, the push store file. */
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { FilePushStore } from '@sluice/push';
import { ConfigError, parseServerConfig, parseStreamMap } from '@sluice/server';
import { expectTyped, type FuzzTarget } from '../target.js';

const conf = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../../packages/server/conf/${name}`, import.meta.url))));
const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** A Server.xml using every element Sluice reads (vhosts, apps, push settings, StreamMap, TLS). */
const FULL_SERVER_XML = `<?xml version="1.0"?>
<Server version="8"><Name>x</Name><IP>*</IP>
<Bind><Managers><API><Port>8081</Port><TLSPort>8082</TLSPort></API></Managers>
<Providers><RTMP><Port>1935</Port><TLSPort>1936</TLSPort></RTMP><SRT><Port>9999</Port></SRT></Providers></Bind>
<Managers><Host><Names><Name>*</Name></Names></Host><API><AccessToken>t0k3n</AccessToken>
<CrossDomains><Url>*.example.com</Url><Url>http://a:1</Url></CrossDomains></API></Managers>
<VirtualHosts><VirtualHost><Name>default</Name><Host><Names><Name>*.tv</Name><Name>a.b</Name></Names></Host>
<Applications><Application><Name>app</Name><Providers><RTMP/></Providers>
<Publishers><Push><ConnectionTimeout>3000</ConnectionTimeout><SendTimeout>5000</SendTimeout>
<StreamMap><Enable>true</Enable><Path>push-map.xml</Path></StreamMap></Push></Publishers></Application>
<Application><Name>b</Name><Providers><RTMP/></Providers></Application></Applications></VirtualHost></VirtualHosts></Server>`;

export const serverXml: FuzzTarget = {
  name: 'server-xml',
  description: 'Server.xml (XML tree reader, every element, entity and DOCTYPE refusal, number/port checks)',
  maxLength: 16 * 1024,
  coverage: ['server/src/config/'],
  seeds: () => [
    conf('Server.xml'),
    encoder.encode(FULL_SERVER_XML),
    encoder.encode('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Server>&a;&a;</Server>'),
  ],
  run: (input) => expectTyped(() => void parseServerConfig(utf8.decode(input), 'fuzz.xml'), [ConfigError]),
};

export const streamMapXml: FuzzTarget = {
  name: 'stream-map-xml',
  description: 'StreamMap XML (push-map.xml: entries, patterns, macros)',
  maxLength: 16 * 1024,
  coverage: ['server/src/config/'],
  seeds: () => [
    conf('push-map.xml'),
    encoder.encode(
      '<PushInfo><Push><Enable>true</Enable><StreamName>*</StreamName><VariantNames>a,b</VariantNames>' +
        '<Protocol>mpegts</Protocol><Url>udp://127.0.0.1:4000?pkt_size=1316</Url><StreamKey>${Stream}</StreamKey></Push></PushInfo>',
    ),
  ],
  run: (input) => expectTyped(() => void parseStreamMap(utf8.decode(input), 'fuzz-map.xml'), [ConfigError]),
};

/** A damaged store file: FilePushStore.load() never throws, reports it and moves the file aside. */
export const pushStoreFile: FuzzTarget = {
  name: 'push-store-file',
  description: 'pushes.msgpack read at start-up (FilePushStore.load on a damaged file, in a tmpfs folder)',
  maxLength: 8 * 1024,
  coverage: ['push/src/file-push-store.ts', 'push/src/push-store.ts'],
  seeds: async () => {
    // the file a real store writes, with both kinds of push in it
    const dir = storeDir();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'pushes.msgpack');
    const store = new FilePushStore(file, { fsync: false });
    const base = { vhost: 'default', app: 'app', url: 'rtmp://h/live', streamKey: 'k', createdTime: 1_700_000_000_000 };
    await store.put({ ...base, id: 'a', stream: { name: 's', tracks: [1, 2] }, protocol: 'rtmp' });
    await store.put({
      ...base,
      id: 'b',
      stream: { name: 's', variantNames: ['v'] },
      protocol: 'mpegts',
      isConfig: true,
    });
    await store.close();
    return [new Uint8Array(readFileSync(file))];
  },
  run: async (input) => {
    const dir = storeDir();
    const file = join(dir, 'pushes.msgpack');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, input);
    let corrupted = false;
    const store = new FilePushStore(file, { fsync: false, onCorrupted: () => (corrupted = true) });
    await store.load(); // a finding if it throws
    return corrupted ? 'refused' : 'accepted';
  },
};

let dirOfThisProcess: string | undefined;
function storeDir(): string {
  dirOfThisProcess ??= join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `sluice-fuzz-${process.pid}-${threadId}`);
  return dirOfThisProcess;
}
