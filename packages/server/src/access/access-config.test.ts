import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { parseServerConfig } from '../config/server-config.js';
import { appliesTo } from './access-config.js';

/** Server.xml with `vhostExtra` inside the VirtualHost (one element per line, so lines are predictable). */
function xml(vhostExtra: string): string {
  return [
    '<Server version="8">',
    '<Bind><Managers><API><Port>0</Port></API></Managers><Providers><RTMP><Port>0</Port></RTMP></Providers></Bind>',
    '<Managers><API><AccessToken>t</AccessToken></API></Managers>',
    '<VirtualHosts><VirtualHost>',
    '<Name>default</Name>',
    vhostExtra,
    '</VirtualHost></VirtualHosts>',
    '</Server>',
  ].join('\n');
}

function errorOf(text: string): ConfigError {
  try {
    parseServerConfig(text, 'Server.xml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no ConfigError');
}

const webhook = (inner: string): string => `<AdmissionWebhooks>\n${inner}\n</AdmissionWebhooks>`;

describe('Server.xml: AdmissionWebhooks and SignedPolicy', () => {
  it('reads both in OvenMediaEngine layout without unknown-element warnings', () => {
    const config = parseServerConfig(
      xml(`<AdmissionWebhooks>
  <ControlServerUrl>https://192.168.0.161:9595/v1/admission</ControlServerUrl>
  <SecretKey>1234</SecretKey>
  <Timeout>2500</Timeout>
  <Enables><Providers>rtmp,webrtc,srt</Providers><Publishers>webrtc,llhls</Publishers></Enables>
</AdmissionWebhooks>
<SignedPolicy>
  <PolicyQueryKeyName>p</PolicyQueryKeyName>
  <SignatureQueryKeyName>sig</SignatureQueryKeyName>
  <SecretKey>aKq#1kj</SecretKey>
  <Enables><Providers>rtmp</Providers></Enables>
</SignedPolicy>`),
    );
    expect(config.warnings).toEqual([]);
    const vhost = config.virtualHosts[0]!;
    expect(vhost.admissionWebhooks).toEqual({
      controlServerUrl: 'https://192.168.0.161:9595/v1/admission',
      secretKey: '1234',
      timeoutMs: 2500,
      providers: ['rtmp', 'webrtc', 'srt'],
    });
    expect(vhost.signedPolicy).toEqual({
      policyKey: 'p',
      signatureKey: 'sig',
      secretKey: 'aKq#1kj',
      providers: ['rtmp'],
    });
  });

  it('defaults: Timeout 3000 ms, the query keys policy/signature, every ingest without <Enables>', () => {
    const config = parseServerConfig(
      xml(`${webhook('<ControlServerUrl>http://h/x</ControlServerUrl><SecretKey>k</SecretKey>')}
<SignedPolicy><SecretKey>s</SecretKey></SignedPolicy>`),
    );
    const vhost = config.virtualHosts[0]!;
    expect(vhost.admissionWebhooks).toMatchObject({ timeoutMs: 3000, providers: undefined });
    expect(vhost.signedPolicy).toEqual({
      policyKey: 'policy',
      signatureKey: 'signature',
      secretKey: 's',
      providers: undefined,
    });
    // no <Enables>: every ingest protocol, also one registered after this was written
    expect(appliesTo(vhost.signedPolicy?.providers, 'some-future-ingest')).toBe(true);
    expect(appliesTo(['rtmp'], 'srt')).toBe(false);
    expect(parseServerConfig(xml('')).virtualHosts[0]).toMatchObject({
      admissionWebhooks: undefined,
      signedPolicy: undefined,
    });
  });

  it('names the element and line of a wrong value', () => {
    expect(
      errorOf(xml(webhook('<ControlServerUrl>ftp://h/</ControlServerUrl>\n<SecretKey>k</SecretKey>'))).message,
    ).toBe(
      'Server.xml:line 7: <Server.VirtualHosts.VirtualHost.AdmissionWebhooks.ControlServerUrl>: must be an http:// or https:// URL, got "ftp://h/"',
    );
    expect(errorOf(xml(webhook('<ControlServerUrl>http://h/</ControlServerUrl>'))).message).toBe(
      'Server.xml:line 6: <Server.VirtualHosts.VirtualHost.AdmissionWebhooks>: required element <SecretKey> is missing',
    );
    expect(
      errorOf(
        xml(
          webhook('<ControlServerUrl>http://h/</ControlServerUrl>\n<SecretKey>k</SecretKey>\n<Timeout>soon</Timeout>'),
        ),
      ).message,
    ).toBe(
      'Server.xml:line 9: <Server.VirtualHosts.VirtualHost.AdmissionWebhooks.Timeout>: must be an integer from 100 to 120000, got "soon"',
    );
    expect(
      errorOf(
        xml(
          webhook(
            '<ControlServerUrl>http://h/</ControlServerUrl>\n<SecretKey>k</SecretKey>\n<Enables><Providers>rtmp,carrier-pigeon</Providers></Enables>',
          ),
        ),
      ).message,
    ).toContain(
      ':line 9: <Server.VirtualHosts.VirtualHost.AdmissionWebhooks.Enables.Providers>: unknown provider "carrier-pigeon"',
    );
    expect(errorOf(xml('<SignedPolicy>\n<SecretKey></SecretKey>\n</SignedPolicy>')).message).toBe(
      'Server.xml:line 7: <Server.VirtualHosts.VirtualHost.SignedPolicy.SecretKey>: must not be empty',
    );
    expect(
      errorOf(
        xml(
          '<SignedPolicy>\n<SecretKey>k</SecretKey>\n<PolicyQueryKeyName>a&amp;b</PolicyQueryKeyName>\n</SignedPolicy>',
        ),
      ).message,
    ).toContain(':line 8: <Server.VirtualHosts.VirtualHost.SignedPolicy.PolicyQueryKeyName>: must be a query key');
    expect(
      errorOf(
        xml(
          '<SignedPolicy>\n<SecretKey>k</SecretKey>\n<SignatureQueryKeyName>policy</SignatureQueryKeyName>\n</SignedPolicy>',
        ),
      ).message,
    ).toContain(
      ':line 6: <Server.VirtualHosts.VirtualHost.SignedPolicy>: <PolicyQueryKeyName> and <SignatureQueryKeyName> must differ',
    );
  });

  it('warns about unknown elements inside them like elsewhere', () => {
    const config = parseServerConfig(xml('<SignedPolicy><SecretKey>k</SecretKey><Typo/></SignedPolicy>'));
    expect(config.warnings.map((w) => w.message)).toEqual(['unknown element <Typo> ignored']);
  });
});
