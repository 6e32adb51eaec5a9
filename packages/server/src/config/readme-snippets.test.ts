/**
 * The Server.xml snippets of packages/server/README.md are read by the real configuration
 * reader, so the documentation cannot drift from what the server accepts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DestinationPolicy } from '../access/destination-policy.js';
import { DEFAULT_API_LIMITS } from './security-config.js';
import { parseServerConfig } from './server-config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const xmlBlocks = [...readme.matchAll(/```xml\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The one xml block of the README that contains `marker`. */
function block(marker: string): string {
  const found = xmlBlocks.filter((b) => b.includes(marker));
  expect(found, `README xml blocks with ${marker}`).toHaveLength(1);
  return found[0]!;
}

/** A whole Server.xml around a `<Publishers>` snippet (one application) and a `<Managers>` one. */
function serverXml(publishers: string, managers: string): string {
  return `<Server version="8">
  <Bind>
    <Managers><API><Port>8081</Port></API></Managers>
    <Providers><RTMP><Port>1935</Port></RTMP></Providers>
  </Bind>
  ${managers}
  <VirtualHosts><VirtualHost><Name>default</Name><Applications>
    <Application><Name>app</Name>${publishers}</Application>
  </Applications></VirtualHost></VirtualHosts>
</Server>`;
}

const plainManagers = '<Managers><API><AccessToken>secret</AccessToken></API></Managers>';

describe('packages/server/README.md Server.xml snippets', () => {
  it('"Push destinations" parses to the rules it describes, and refuses as it says', async () => {
    const config = parseServerConfig(serverXml(block('<Destinations>'), plainManagers));
    expect(config.warnings).toEqual([]);
    const push = config.virtualHosts[0]!.applications[0]!.push!;
    expect(push.maxPushes).toBe(20);
    expect(push.destinations).toEqual({
      allow: ['*.youtube.com', '*.twitch.tv', '239.0.0.0/8', '192.168.10.0/24'],
      deny: ['192.168.10.66', '*.example.com'],
      denyInternal: true,
    });
    // The refusal texts the README quotes are the policy's own.
    const policy = new DestinationPolicy(push.destinations!, 'default/app');
    const resolve = (address: string) => () => Promise.resolve([{ address, family: 4 as const }]);
    for (const [host, address] of [
      ['live.example.com', '203.0.113.9'],
      ['192.168.10.66', '192.168.10.66'],
    ] as const) {
      const refusal = await policy.checkAtStart(host, resolve(address)).then(
        () => 'allowed',
        (error: Error) => error.message,
      );
      expect(readme.replace(/\n\s*/g, ' ')).toContain(`\`${refusal}\``);
    }
    await expect(policy.checkAtStart('a.youtube.com', resolve('203.0.113.10'))).resolves.toBeUndefined();
    await expect(policy.checkAtStart('192.168.10.20', resolve('192.168.10.20'))).resolves.toBeUndefined();
    await expect(policy.checkAtStart('10.0.0.1', resolve('10.0.0.1'))).rejects.toThrow(/internal address/);
  });

  it('the push timeouts snippet parses, with MaxPushes', () => {
    const config = parseServerConfig(serverXml(block('<NoMediaTimeout>'), plainManagers));
    expect(config.warnings).toEqual([]);
    expect(config.virtualHosts[0]!.applications[0]!.push).toMatchObject({ maxPushes: 20 });
  });

  it('"API limits" shows exactly the defaults', () => {
    const config = parseServerConfig(serverXml('<Publishers><Push/></Publishers>', block('<Limits>')));
    expect(config.warnings).toEqual([]);
    expect(config.apiLimits).toEqual(DEFAULT_API_LIMITS);
  });
});
