import { describe, expect, it } from 'vitest';
import { configError } from './test-support/config-error.js';
import { applyEnvironment, parseServerConfig } from './server-config.js';

function xml(cluster: string): string {
  return `<Server version="8">
  <Bind><Managers><API><Port>8081</Port></API></Managers><Providers><RTMP><Port>1935</Port></RTMP></Providers></Bind>
  <Managers><API><AccessToken>secret</AccessToken></API></Managers>
  <VirtualHosts><VirtualHost><Name>default</Name></VirtualHost></VirtualHosts>
  ${cluster}
</Server>`;
}

describe('<Server><Cluster>', () => {
  it('is absent by default: one node, no cluster settings', () => {
    expect(parseServerConfig(xml('')).cluster).toBeUndefined();
  });

  it('reads the node name, the Redis url and the optional settings with their defaults', () => {
    const minimal = parseServerConfig(
      xml('<Cluster><NodeName>node-a</NodeName><Redis><Url>redis://10.0.0.5:6379/0</Url></Redis></Cluster>'),
    );
    expect(minimal.cluster).toEqual({
      nodeName: 'node-a',
      redisUrl: 'redis://10.0.0.5:6379/0',
      name: 'default',
      leaseTimeoutMs: 10_000,
      apiUrl: undefined,
    });
    const full = parseServerConfig(
      xml(`<Cluster><Name>prod</Name><NodeName>b.1</NodeName><Redis><Url>rediss://:pw@redis.example:6380</Url></Redis>
        <LeaseTimeout>4000</LeaseTimeout><ApiUrl>http://10.0.0.12:8081</ApiUrl></Cluster>`),
    );
    expect(full.cluster).toMatchObject({ name: 'prod', nodeName: 'b.1', leaseTimeoutMs: 4000 });
    expect(full.cluster?.apiUrl).toBe('http://10.0.0.12:8081');
    expect(full.warnings).toEqual([]);
  });

  it('refuses a missing node name or Redis url, a bad name, a url that is not redis:// and a lease out of range', () => {
    const redis = '<Redis><Url>redis://127.0.0.1:6379</Url></Redis>';
    expect(configError(() => parseServerConfig(xml(`<Cluster>${redis}</Cluster>`))).detail).toBe(
      'required element <NodeName> is missing',
    );
    expect(configError(() => parseServerConfig(xml('<Cluster><NodeName>a</NodeName></Cluster>'))).detail).toBe(
      'required element <Redis> is missing',
    );
    const badName = configError(() => parseServerConfig(xml(`<Cluster><NodeName>node a</NodeName>${redis}</Cluster>`)));
    expect(badName.element).toMatch(/Cluster\.NodeName$/);
    expect(badName.detail).toContain('got "node a"');
    const badUrl = configError(() =>
      parseServerConfig(xml('<Cluster><NodeName>a</NodeName><Redis><Url>http://h:6379</Url></Redis></Cluster>')),
    );
    expect(badUrl.detail).toBe('must be redis://host:port[/db] or rediss://host:port[/db], got "http://h:6379"');
    const badLease = configError(() =>
      parseServerConfig(xml(`<Cluster><NodeName>a</NodeName>${redis}<LeaseTimeout>500</LeaseTimeout></Cluster>`)),
    );
    expect(badLease.detail).toBe('must be an integer from 2000 to 300000, got "500"');
  });

  it('SLUICE_NODE_NAME names the node (several processes sharing one Server.xml), checked like the element', () => {
    const base = parseServerConfig(
      xml('<Cluster><NodeName>node-a</NodeName><Redis><Url>redis://127.0.0.1:6379</Url></Redis></Cluster>'),
    );
    expect(applyEnvironment(base, { SLUICE_NODE_NAME: 'node-b' }).cluster?.nodeName).toBe('node-b');
    expect(applyEnvironment(base, { SLUICE_NODE_NAME: '' }).cluster?.nodeName).toBe('node-a');
    expect(applyEnvironment(parseServerConfig(xml('')), { SLUICE_NODE_NAME: 'x' }).cluster).toBeUndefined();
    expect(configError(() => applyEnvironment(base, { SLUICE_NODE_NAME: '-x' })).element).toBe(
      'environment SLUICE_NODE_NAME',
    );
  });
});
