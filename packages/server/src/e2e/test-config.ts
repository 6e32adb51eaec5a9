/**
 * Server.xml for in-process test servers (the e2e harness, the soak): vhost `default`, app
 * `app` taking RTMP with Push, the API and the RTMP ingest on free ports; written to a temp
 * folder. No server code is imported here, so tools can build their config with it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The API's access token of a test server unless its config says otherwise. */
export const TOKEN = 'e2e-token';

/** The SRT ingest of a test server: `<Bind><Providers><SRT>` on a free port with these `<Options>` (SRTO_… keys). */
export interface TestSrtIngest {
  options?: Record<string, string>;
}

/** What a test server's Server.xml has beyond vhost `default` and app `app` (RTMP, Push). */
export interface TestServerXmlOptions {
  /** A StreamMap file for app `app`'s Push (a path relative to Server.xml). */
  streamMapPath?: string;
  /** Also the SRT ingest (port 0) and `<Providers><SRT/>` for `app`. */
  srt?: TestSrtIngest;
  /** More elements inside app `app`'s `<Push>` (`<MaxPushes>`, `<Destinations>`). */
  pushXml?: string;
  /** More elements inside `<Managers>` after `<API>` (`<Webhooks>`). */
  managersXml?: string;
  /** The API's `<AccessToken>` (default TOKEN). */
  token?: string;
  /** `<CrossDomains><Url>*</Url></CrossDomains>` on the API (default true). */
  crossDomains?: boolean;
  /**
   * Short push timeouts in app `app` (`<ConnectionTimeout>` 3 s, `<SendTimeout>` 2 s) so
   * tests see failures quickly (default true; false = the server's defaults).
   */
  shortPushTimeouts?: boolean;
  /** More `<Application>` elements after `app`. */
  applicationsXml?: string;
}

/** Server.xml for tests. */
export function testServerXml(options: TestServerXmlOptions = {}): string {
  const { streamMapPath, srt, pushXml = '', managersXml = '', token = TOKEN, applicationsXml = '' } = options;
  const streamMap =
    streamMapPath === undefined ? '' : `<StreamMap><Enable>true</Enable><Path>${streamMapPath}</Path></StreamMap>`;
  const srtOptions = Object.entries(srt?.options ?? {})
    .map(([key, value]) => `<Option><Key>${key}</Key><Value>${value}</Value></Option>`)
    .join('');
  const srtBind =
    srt === undefined ? '' : `<SRT><Port>0</Port>${srtOptions === '' ? '' : `<Options>${srtOptions}</Options>`}</SRT>`;
  const crossDomains = options.crossDomains === false ? '' : '<CrossDomains><Url>*</Url></CrossDomains>';
  const timeouts =
    options.shortPushTimeouts === false
      ? ''
      : '<ConnectionTimeout>3000</ConnectionTimeout><SendTimeout>2000</SendTimeout>';
  return `<?xml version="1.0"?>
<Server version="8">
  <Bind>
    <Managers><API><Port>0</Port></API></Managers>
    <Providers><RTMP><Port>0</Port></RTMP>${srtBind}</Providers>
  </Bind>
  <Managers><API><AccessToken>${token}</AccessToken>${crossDomains}
    <!-- the tests' good and bad clients share 127.0.0.1: failed authentication is not limited here (api-hardening.test.ts tests the limit) -->
    <Limits><AuthFailuresPerMinute>1000000</AuthFailuresPerMinute></Limits></API>${managersXml}</Managers>
  <VirtualHosts>
    <VirtualHost>
      <Name>default</Name>
      <Host><Names><Name>*</Name></Names></Host>
      <Applications>
        <Application>
          <Name>app</Name>
          <Providers><RTMP/>${srt === undefined ? '' : '<SRT/>'}</Providers>
          <Publishers><Push>${timeouts}${pushXml}${streamMap}</Push></Publishers>
        </Application>${applicationsXml}
      </Applications>
    </VirtualHost>
  </VirtualHosts>
</Server>
`;
}

/** What goes in a test server's config folder. */
export interface TestConfigOptions extends Omit<TestServerXmlOptions, 'streamMapPath'> {
  /** The StreamMap, written beside Server.xml as push-map.xml. */
  streamMapXml?: string;
  /** The temp folder's name prefix (default `sluice-e2e-`). */
  dirPrefix?: string;
}

/** Writes Server.xml (and push-map.xml when `streamMapXml` is given) to a fresh temp folder. */
export function writeTestConfig(options: TestConfigOptions = {}): { dir: string; file: string } {
  const { streamMapXml, dirPrefix = 'sluice-e2e-', ...xml } = options;
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  if (streamMapXml !== undefined) writeFileSync(join(dir, 'push-map.xml'), streamMapXml);
  const file = join(dir, 'Server.xml');
  writeFileSync(
    file,
    testServerXml({ ...xml, streamMapPath: streamMapXml === undefined ? undefined : 'push-map.xml' }),
  );
  return { dir, file };
}
