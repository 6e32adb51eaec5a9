/** `<Bind><Providers><SRT>` and `<Application><Providers><SRT/>` of Server.xml. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { applyEnvironment, parseServerConfig } from './server-config.js';

function serverXml(srt: string, appProviders = ''): string {
  return `<?xml version="1.0"?>
<Server version="8">
  <Bind>
    <Managers><API><Port>8081</Port></API></Managers>
    <Providers><RTMP><Port>1935</Port></RTMP>${srt}</Providers>
  </Bind>
  <Managers><API><AccessToken>secret</AccessToken></API></Managers>
  <VirtualHosts><VirtualHost><Name>default</Name><Applications>
    <Application><Name>app</Name>${appProviders}</Application>
  </Applications></VirtualHost></VirtualHosts>
</Server>`;
}

const option = (key: string, value: string): string => `<Option><Key>${key}</Key><Value>${value}</Value></Option>`;

function configError(xml: string): ConfigError {
  try {
    parseServerConfig(xml, 'Server.xml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('the SRT provider of Server.xml', () => {
  it('is absent without <SRT> (no SRT port); applications take SRT unless their <Providers> leave it out', () => {
    const config = parseServerConfig(serverXml(''));
    expect(config.srt).toBeUndefined();
    expect(config.virtualHosts[0]!.applications[0]!.srt).toBe(true);
    const rtmpOnly = parseServerConfig(serverXml('', '<Providers><RTMP/></Providers>'));
    expect(rtmpOnly.virtualHosts[0]!.applications[0]!).toMatchObject({ rtmp: true, srt: false });
    const srtOnly = parseServerConfig(serverXml('', '<Providers><SRT/></Providers>'));
    expect(srtOnly.virtualHosts[0]!.applications[0]!).toMatchObject({ rtmp: false, srt: true });
  });

  it("reads the port and OvenMediaEngine's <Options> (libsrt names and units; SRTO_RCVLATENCY = SRTO_LATENCY)", () => {
    const config = parseServerConfig(
      serverXml(
        `<SRT><Port>9999</Port><WorkerCount>1</WorkerCount><Options>${option('SRTO_PASSPHRASE', 'a long secret')}${option(
          'srto_pbkeylen',
          '32',
        )}${option('SRTO_RCVLATENCY', '500')}${option('SRTO_PEERIDLETIMEO', '2000')}</Options></SRT>`,
      ),
    );
    expect(config.srt).toEqual({
      port: 9999,
      passphrase: 'a long secret',
      pbkeylen: 32,
      latencyMs: 500,
      peerIdleTimeoutMs: 2000,
    });
    expect(parseServerConfig(serverXml('<SRT><Port>0</Port></SRT>')).srt).toEqual({ port: 0 });
    expect(
      applyEnvironment(parseServerConfig(serverXml('<SRT><Port>9999</Port></SRT>')), { SLUICE_SRT_PORT: '9000' }).srt
        ?.port,
    ).toBe(9000);
    // no <SRT>: the variable opens nothing
    expect(applyEnvironment(parseServerConfig(serverXml('')), { SLUICE_SRT_PORT: '9000' }).srt).toBeUndefined();
  });

  it('refuses unknown keys, bad values and a pbkeylen without passphrase, never echoing the passphrase', () => {
    const srt = (options: string): string => serverXml(`<SRT><Port>9999</Port><Options>${options}</Options></SRT>`);
    expect(configError(srt(option('SRTO_PASSPRASE', 'a long secret'))).message).toContain(
      'unknown SRT option "SRTO_PASSPRASE"',
    );
    const short = configError(srt(option('SRTO_PASSPHRASE', 'short')));
    expect(short.message).toContain('SRTO_PASSPHRASE must have 10 to 79 characters, got 5');
    expect(short.message).not.toContain('short');
    expect(configError(srt(option('SRTO_PBKEYLEN', '20'))).message).toContain(
      'SRTO_PBKEYLEN must be 0, 16, 24 or 32, got 20',
    );
    expect(configError(srt(option('SRTO_PBKEYLEN', '16'))).message).toContain(
      'SRTO_PBKEYLEN is set but there is no SRTO_PASSPHRASE',
    );
    expect(configError(srt(option('SRTO_LATENCY', '70000'))).message).toContain('must be an integer from 0 to 65535');
    expect(configError(srt(option('SRTO_LATENCY', '1') + option('SRTO_RCVLATENCY', '2'))).message).toContain(
      'SRT option SRTO_RCVLATENCY is given twice',
    );
    expect(configError(serverXml('<SRT><Options/></SRT>')).message).toContain('required element <Port> is missing');
  });
});
