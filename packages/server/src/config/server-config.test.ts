import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configError } from './test-support/config-error.js';
import { applyEnvironment, loadServerConfig, parseServerConfig } from './server-config.js';

const defaultConfigFile = fileURLToPath(new URL('../../conf/Server.xml', import.meta.url));

function serverXml(
  api = '<AccessToken>secret</AccessToken>',
  apps = '<Application><Name>app</Name><Publishers><Push/></Publishers></Application>',
  extra = '',
): string {
  return `<?xml version="1.0"?>
<Server version="8">
  <Bind>
    <Managers><API><Port>8081</Port></API></Managers>
    <Providers><RTMP><Port>1935</Port></RTMP></Providers>
  </Bind>
  <Managers>
    <API>
      ${api}
    </API>
  </Managers>
  <VirtualHosts>
    <VirtualHost>
      <Name>default</Name>
      <Host><Names><Name>*.example.com</Name><Name>localhost</Name></Names></Host>
      <Applications>
        ${apps}
      </Applications>
    </VirtualHost>
  </VirtualHosts>${extra}
</Server>`;
}

describe('parseServerConfig', () => {
  it('reads the shipped default Server.xml', () => {
    const config = loadServerConfig(defaultConfigFile);
    expect(config.apiPort).toBe(8081);
    expect(config.rtmpPort).toBe(1935);
    expect(config.accessToken).toBe('ome-access-token');
    expect(config.crossDomains).toEqual(['*']);
    expect(config.virtualHosts).toHaveLength(1);
    const vhost = config.virtualHosts[0]!;
    expect(vhost.name).toBe('default');
    expect(vhost.hostNames).toEqual(['*']);
    expect(vhost.applications.map((a) => a.name)).toEqual(['app']);
    expect(vhost.applications[0]!.rtmp).toBe(true);
    expect(vhost.applications[0]!.push).toEqual({
      connectTimeoutMs: 5000,
      sendTimeoutMs: 2000,
      noMediaTimeoutMs: 5000,
      streamMap: undefined,
    });
    expect(config.warnings).toEqual([]);
  });

  it('reads host names, cross domains and push defaults', () => {
    const config = parseServerConfig(
      serverXml(
        '<AccessToken>secret</AccessToken><CrossDomains><Url>*.example.com</Url><Url>http://a.test</Url></CrossDomains>',
      ),
    );
    expect(config.crossDomains).toEqual(['*.example.com', 'http://a.test']);
    expect(config.virtualHosts[0]!.hostNames).toEqual(['*.example.com', 'localhost']);
    expect(config.virtualHosts[0]!.applications[0]!.push?.sendTimeoutMs).toBe(2000);
  });

  it('an application without <Publishers><Push> has push undefined', () => {
    const config = parseServerConfig(
      serverXml(
        undefined,
        '<Application><Name>a</Name></Application><Application><Name>b</Name><Publishers/></Application>',
      ),
    );
    expect(config.virtualHosts[0]!.applications.map((a) => a.push)).toEqual([undefined, undefined]);
  });

  it('refuses a missing AccessToken, naming the element and line', () => {
    const e = configError(() => parseServerConfig(serverXml(''), '/etc/Server.xml'));
    expect(e.element).toBe('Server.Managers.API');
    expect(e.line).toBe(8);
    expect(e.message).toBe(
      '/etc/Server.xml:line 8: <Server.Managers.API>: required element <AccessToken> is missing (an empty token is never "open access")',
    );
  });

  it('refuses an empty AccessToken', () => {
    const e = configError(() => parseServerConfig(serverXml('<AccessToken>  </AccessToken>')));
    expect(e.element).toBe('Server.Managers.API.AccessToken');
    expect(e.line).toBe(9);
  });

  it('refuses a port that is not a number, naming the element and its line', () => {
    const xml = serverXml().replace('<Port>1935</Port>', '<Port>rtmp</Port>');
    const e = configError(() => parseServerConfig(xml));
    expect(e.element).toBe('Server.Bind.Providers.RTMP.Port');
    expect(e.line).toBe(5);
    expect(e.detail).toBe('must be an integer from 0 to 65535, got "rtmp"');
  });

  it('refuses malformed XML with the line of the fault', () => {
    const e = configError(() => parseServerConfig('<Server>\n<Bind>\n</Server>'));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/malformed XML/);
  });

  it('refuses XML the parser refuses after validation (nesting too deep, external entity) as ConfigError', () => {
    const deep = configError(() => parseServerConfig(`${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`, 'deep.xml'));
    expect(deep.message).toBe('deep.xml: malformed XML: Maximum nested tags exceeded');
    const external = configError(() =>
      parseServerConfig('<!DOCTYPE Server [<!ENTITY x SYSTEM "file:///etc/passwd">]><Server>&x;</Server>'),
    );
    expect(external.message).toMatch(/^malformed XML: /);
  });

  it('reads <NoMediaTimeout> (0 = off) and refuses a value below 200 ms or not a number', () => {
    const app = (value: string): string =>
      serverXml(
        undefined,
        `<Application><Name>app</Name><Publishers><Push><NoMediaTimeout>${value}</NoMediaTimeout></Push></Publishers></Application>`,
      );
    const pushOf = (xml: string) => parseServerConfig(xml).virtualHosts[0]!.applications[0]!.push;
    expect(pushOf(app('8000'))?.noMediaTimeoutMs).toBe(8000);
    expect(pushOf(app('0'))?.noMediaTimeoutMs).toBe(0);
    const element = 'Server.VirtualHosts.VirtualHost.Applications.Application.Publishers.Push.NoMediaTimeout';
    expect(configError(() => parseServerConfig(app('50'))).element).toBe(element);
    expect(configError(() => parseServerConfig(app('five'))).element).toBe(element);
    expect(configError(() => parseServerConfig(app('-1'))).element).toBe(element);
  });

  it('refuses a wrong timeout value and duplicate applications', () => {
    const bad = serverXml(
      undefined,
      '<Application><Name>app</Name><Publishers><Push><SendTimeout>-5</SendTimeout></Push></Publishers></Application>',
    );
    expect(configError(() => parseServerConfig(bad)).element).toBe(
      'Server.VirtualHosts.VirtualHost.Applications.Application.Publishers.Push.SendTimeout',
    );
    const dup = serverXml(
      undefined,
      '<Application><Name>app</Name></Application>\n<Application><Name>app</Name></Application>',
    );
    expect(configError(() => parseServerConfig(dup)).detail).toBe(
      'duplicate application name "app" in virtual host "default"',
    );
  });

  it('warns about unknown elements and keeps going', () => {
    const config = parseServerConfig(serverXml(undefined, undefined, '\n  <Modules><HTTP2/></Modules>'), 'S.xml');
    expect(config.warnings).toEqual([
      { message: 'unknown element <Modules> ignored', file: 'S.xml', element: 'Server.Modules', line: 21 },
    ]);
  });

  it('loads an enabled StreamMap relative to Server.xml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
    writeFileSync(
      join(dir, 'map.xml'),
      '<PushInfo><Push><Enable>true</Enable><StreamName>cam?</StreamName><Protocol>RTMP</Protocol><Url>rtmp://h/live</Url><StreamKey>${Stream}</StreamKey></Push></PushInfo>',
    );
    const file = join(dir, 'Server.xml');
    writeFileSync(
      file,
      serverXml(
        undefined,
        '<Application><Name>app</Name><Publishers><Push><StreamMap><Enable>true</Enable><Path>map.xml</Path></StreamMap></Push></Publishers></Application>',
      ),
    );
    const map = loadServerConfig(file).virtualHosts[0]!.applications[0]!.push!.streamMap!;
    expect(map.path).toBe(join(dir, 'map.xml'));
    expect(map.entries).toHaveLength(1);
    expect(map.entries[0]!.protocol).toBe('rtmp');
    expect(map.entries[0]!.matches('cam1')).toBe(true);
    expect(map.entries[0]!.matches('cam12')).toBe(false);
  });

  it('a missing StreamMap file stops start-up naming <Path>', () => {
    const xml = serverXml(
      undefined,
      '<Application><Name>app</Name><Publishers><Push><StreamMap><Enable>true</Enable><Path>nope.xml</Path></StreamMap></Push></Publishers></Application>',
    );
    const e = configError(() => parseServerConfig(xml, join(tmpdir(), 'Server.xml')));
    expect(e.element).toMatch(/StreamMap\.Path$/);
  });
});

describe('applyEnvironment', () => {
  it('overrides ports and token', () => {
    const base = parseServerConfig(serverXml());
    const config = applyEnvironment(base, {
      SLUICE_API_PORT: '9000',
      SLUICE_RTMP_PORT: '0',
      SLUICE_ACCESS_TOKEN: 'tok',
    });
    expect([config.apiPort, config.rtmpPort, config.accessToken]).toEqual([9000, 0, 'tok']);
    expect(applyEnvironment(base, { SLUICE_ACCESS_TOKEN: '' }).accessToken).toBe('secret');
  });

  it('refuses a port that is not a number', () => {
    const e = configError(() => applyEnvironment(parseServerConfig(serverXml()), { SLUICE_API_PORT: 'x' }));
    expect(e.element).toBe('environment SLUICE_API_PORT');
  });
});
