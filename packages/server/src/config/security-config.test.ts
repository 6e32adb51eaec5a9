import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configError } from './test-support/config-error.js';
import { DEFAULT_API_LIMITS, destinationEntryProblem } from './security-config.js';
import { parseServerConfig } from './server-config.js';

function xml(
  options: { apiBind?: string; rtmpBind?: string; host?: string; api?: string; push?: string } = {},
): string {
  return `<Server version="8">
  <Bind>
    <Managers><API><Port>8081</Port>${options.apiBind ?? ''}</API></Managers>
    <Providers><RTMP><Port>1935</Port>${options.rtmpBind ?? ''}</RTMP></Providers>
  </Bind>
  <Managers>
    ${options.host ?? ''}
    <API><AccessToken>secret</AccessToken>${options.api ?? ''}</API>
  </Managers>
  <VirtualHosts><VirtualHost><Name>default</Name><Applications>
    <Application><Name>app</Name><Publishers><Push>${options.push ?? ''}</Push></Publishers></Application>
  </Applications></VirtualHost></VirtualHosts>
</Server>`;
}

describe('Server.xml security settings', () => {
  it('defaults: no TLS, no opt-in, default limits, no destination rules or cap', () => {
    const config = parseServerConfig(xml());
    expect(config).toMatchObject({ apiTlsPort: undefined, rtmpTlsPort: undefined, tls: undefined });
    expect(config.allowDefaultToken).toBe(false);
    expect(config.apiLimits).toEqual(DEFAULT_API_LIMITS);
    const push = config.virtualHosts[0]!.applications[0]!.push!;
    expect(push.destinations).toBeUndefined();
    expect(push.maxPushes).toBeUndefined();
    expect(config.warnings).toEqual([]);
  });

  it('reads TLS ports and certificate paths relative to the Server.xml folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-config-'));
    const config = parseServerConfig(
      xml({
        apiBind: '<TLSPort>8082</TLSPort>',
        rtmpBind: '<TLSPort>1936</TLSPort>',
        host: '<Host><Names><Name>*</Name></Names><TLS><CertPath>c.pem</CertPath><KeyPath>/etc/k.pem</KeyPath><ChainCertPath>chain.pem</ChainCertPath></TLS></Host>',
      }),
      join(dir, 'Server.xml'),
    );
    expect(config.apiTlsPort).toBe(8082);
    expect(config.rtmpTlsPort).toBe(1936);
    expect(config.tls).toEqual({
      certPath: join(dir, 'c.pem'),
      keyPath: '/etc/k.pem',
      chainCertPath: join(dir, 'chain.pem'),
    });
  });

  it('a TLSPort without a certificate, or TLS without KeyPath, stops start-up', () => {
    expect(configError(() => parseServerConfig(xml({ apiBind: '<TLSPort>8082</TLSPort>' }))).message).toContain(
      'a <TLSPort> is set but there is no certificate',
    );
    const e = configError(() =>
      parseServerConfig(
        xml({
          rtmpBind: '<TLSPort>1936</TLSPort>',
          host: '<Host><Names><Name>*</Name></Names><TLS><CertPath>c.pem</CertPath></TLS></Host>',
        }),
      ),
    );
    expect(e.message).toContain('required element <KeyPath> is missing');
    expect(configError(() => parseServerConfig(xml({ apiBind: '<TLSPort>x</TLSPort>' }))).element).toBe(
      'Server.Bind.Managers.API.TLSPort',
    );
  });

  it('reads AllowDefaultToken and the API limits, refusing bad values', () => {
    const config = parseServerConfig(
      xml({
        api: '<AllowDefaultToken>true</AllowDefaultToken><Limits><MaxConnections>50</MaxConnections><HeadersTimeout>2000</HeadersTimeout><RequestTimeout>4000</RequestTimeout><BodyTimeout>1000</BodyTimeout><KeepAliveTimeout>500</KeepAliveTimeout><AuthFailuresPerMinute>5</AuthFailuresPerMinute></Limits>',
      }),
    );
    expect(config.allowDefaultToken).toBe(true);
    expect(config.apiLimits).toEqual({
      maxConnections: 50,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
      bodyTimeoutMs: 1000,
      keepAliveTimeoutMs: 500,
      authFailuresPerMinute: 5,
    });
    expect(
      configError(() => parseServerConfig(xml({ api: '<AllowDefaultToken>yes</AllowDefaultToken>' }))).message,
    ).toContain('must be true or false');
    expect(
      configError(() => parseServerConfig(xml({ api: '<Limits><MaxConnections>0</MaxConnections></Limits>' }))).message,
    ).toContain('must be an integer from 1');
    expect(
      configError(() =>
        parseServerConfig(
          xml({ api: '<Limits><HeadersTimeout>9000</HeadersTimeout><RequestTimeout>5000</RequestTimeout></Limits>' }),
        ),
      ).message,
    ).toContain('<RequestTimeout> (5000) must not be below <HeadersTimeout> (9000)');
  });

  it('reads MaxPushes and Destinations per application', () => {
    const config = parseServerConfig(xml({ push: '<MaxPushes>3</MaxPushes>' }));
    expect(config.virtualHosts[0]!.applications[0]!.push!.maxPushes).toBe(3);
    expect(config.virtualHosts[0]!.applications[0]!.push!.destinations).toBeUndefined();
    expect(configError(() => parseServerConfig(xml({ push: '<MaxPushes>0</MaxPushes>' }))).element).toBe(
      'Server.VirtualHosts.VirtualHost.Applications.Application.Publishers.Push.MaxPushes',
    );
    const rules = parseServerConfig(
      xml({
        push: '<Destinations><Allow>*.youtube.com</Allow><Allow>203.0.113.0/24</Allow><Deny>10.0.0.0/8</Deny></Destinations>',
      }),
    ).virtualHosts[0]!.applications[0]!.push!.destinations;
    expect(rules).toEqual({ allow: ['*.youtube.com', '203.0.113.0/24'], deny: ['10.0.0.0/8'], denyInternal: true });
    const empty = parseServerConfig(xml({ push: '<Destinations><DenyInternal>false</DenyInternal></Destinations>' }));
    expect(empty.virtualHosts[0]!.applications[0]!.push!.destinations).toEqual({
      allow: [],
      deny: [],
      denyInternal: false,
    });
    expect(
      configError(() =>
        parseServerConfig(
          xml({ push: '<Destinations><DenyInternal>1</DenyInternal><DenyInternal>1</DenyInternal></Destinations>' }),
        ),
      ).message,
    ).toContain('appears more than once');
    expect(
      configError(() => parseServerConfig(xml({ push: '<Destinations><Deny>10.0.0.0/33</Deny></Destinations>' })))
        .message,
    ).toContain('the prefix length must be 0 to 32');
  });

  it('checks each destination entry', () => {
    expect(destinationEntryProblem('10.0.0.0/8')).toBeNull();
    expect(destinationEntryProblem('2001:db8::/32')).toBeNull();
    expect(destinationEntryProblem('203.0.113.7')).toBeNull();
    expect(destinationEntryProblem('*.example.com')).toBeNull();
    expect(destinationEntryProblem('example.com/8')).toContain('is not an IPv4 or IPv6 address');
    expect(destinationEntryProblem('::/129')).toContain('0 to 128');
    expect(destinationEntryProblem('a b')).toContain('neither a CIDR');
  });
});
