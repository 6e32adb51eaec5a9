/** The shipped default token keeps the API on loopback unless the operator opts in. */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { createSluiceServer, type SluiceServer } from '../sluice-server.js';

describe('the default access token', () => {
  const servers: SluiceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  function start(options: { allowDefaultToken?: boolean; token?: string }): { server: SluiceServer; lines: string[] } {
    const lines: string[] = [];
    const server = createSluiceServer({
      apiPort: 0,
      ingestProtocols: [],
      allowDefaultToken: options.allowDefaultToken,
      env: options.token === undefined ? {} : { SLUICE_ACCESS_TOKEN: options.token },
      logger: createLogger({ write: (l) => lines.push(l) }),
    });
    servers.push(server);
    return { server, lines };
  }

  it('with the shipped Server.xml the API listens on 127.0.0.1 only and says how to change it', async () => {
    const { server, lines } = start({});
    const { apiPort } = await server.listen();
    expect(server.addresses?.apiHost).toBe('127.0.0.1');
    expect(lines.some((l) => l.includes('WARN') && l.includes('listens on 127.0.0.1 only'))).toBe(true);
    const answer = await fetch(`http://127.0.0.1:${apiPort}/v1/version`, {
      headers: { authorization: `Basic ${Buffer.from('ome-access-token').toString('base64')}` },
    });
    expect(answer.status).toBe(200);
  });

  it('an opt-in or a token of the operator listens on every address, without the warning', async () => {
    for (const options of [{ allowDefaultToken: true }, { token: 's3cret-of-mine' }]) {
      const { server, lines } = start(options);
      await server.listen();
      expect(server.addresses?.apiHost).toMatch(/^(::|0\.0\.0\.0)$/);
      expect(lines.some((l) => l.includes('listens on 127.0.0.1 only'))).toBe(false);
    }
  });
});
