import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { parseServerConfig } from '../config/server-config.js';
import { SLUICE_EVENT_TYPES } from '../observe/server-events.js';
import { eventTypesMatching, redactUrl, WEBHOOK_DEFAULTS } from './webhook-config.js';

function xml(webhooks: string): string {
  return `<Server version="8">
  <Bind><Managers><API><Port>8081</Port></API></Managers><Providers><RTMP><Port>1935</Port></RTMP></Providers></Bind>
  <Managers><API><AccessToken>secret</AccessToken></API>${webhooks}</Managers>
  <VirtualHosts><VirtualHost><Name>default</Name><Applications><Application><Name>app</Name></Application></Applications></VirtualHost></VirtualHosts>
</Server>`;
}

function problem(webhooks: string): string {
  try {
    parseServerConfig(xml(webhooks));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('<Managers><Webhooks>', () => {
  it('is empty when absent', () => {
    expect(parseServerConfig(xml('')).webhooks).toEqual({ drainTimeoutMs: 5000, webhooks: [] });
  });

  it('reads several webhooks with defaults', () => {
    const config = parseServerConfig(
      xml(`<Webhooks><DrainTimeout>2000</DrainTimeout>
        <Webhook><Url>https://hooks.example.com/sluice?token=abc</Url><SecretKey>k1</SecretKey></Webhook>
        <Webhook><Name>ops</Name><Url>http://10.0.0.5:9000/in</Url><SecretKey>k2</SecretKey>
          <Events>push.state, publish.refused stream.*</Events><Timeout>1500</Timeout><RetryTimeout>60000</RetryTimeout>
          <RetryInitialDelay>200</RetryInitialDelay><RetryMaxDelay>5000</RetryMaxDelay><QueueSize>50</QueueSize></Webhook>
      </Webhooks>`),
    );
    expect(config.warnings).toEqual([]);
    expect(config.webhooks.drainTimeoutMs).toBe(2000);
    const [first, ops] = config.webhooks.webhooks;
    expect(first).toMatchObject({
      name: 'webhook-1',
      url: 'https://hooks.example.com/sluice?token=abc',
      secretKey: 'k1',
      timeoutMs: WEBHOOK_DEFAULTS.timeoutMs,
      retryTimeoutMs: WEBHOOK_DEFAULTS.retryTimeoutMs,
      retryInitialDelayMs: WEBHOOK_DEFAULTS.retryInitialDelayMs,
      retryMaxDelayMs: WEBHOOK_DEFAULTS.retryMaxDelayMs,
      queueSize: WEBHOOK_DEFAULTS.queueSize,
    });
    expect([...first!.events]).toEqual(SLUICE_EVENT_TYPES);
    expect(ops).toMatchObject({ name: 'ops', timeoutMs: 1500, retryTimeoutMs: 60_000, queueSize: 50 });
    expect(ops).toMatchObject({ retryInitialDelayMs: 200, retryMaxDelayMs: 5000 });
    expect([...ops!.events].sort()).toEqual(['publish.refused', 'push.state', 'stream.ended', 'stream.published']);
  });

  it('refuses what would not work, naming the element', () => {
    const hook = (inner: string): string => `<Webhooks><Webhook>${inner}</Webhook></Webhooks>`;
    expect(problem(hook('<SecretKey>k</SecretKey>'))).toMatch(/<Url> is missing/);
    expect(problem(hook('<Url>ftp://x/y</Url><SecretKey>k</SecretKey>'))).toMatch(/Url.*http:\/\/ or https:\/\//);
    expect(problem(hook('<Url>http://x/y</Url>'))).toMatch(/<SecretKey> is missing/);
    expect(problem(hook('<Url>http://x/y</Url><SecretKey>k</SecretKey><Events>push.stat</Events>'))).toMatch(
      /unknown event type "push.stat" \(known: push.created, push.state/,
    );
    expect(problem(hook('<Url>http://x/y</Url><SecretKey>k</SecretKey><Events> , </Events>'))).toMatch(/at least one/);
    expect(problem(hook('<Url>http://x/y</Url><SecretKey>k</SecretKey><Timeout>5</Timeout>'))).toMatch(
      /Timeout.*from 100 to 600000/,
    );
    expect(
      problem(
        hook(
          '<Url>http://x/y</Url><SecretKey>k</SecretKey><RetryInitialDelay>9000</RetryInitialDelay><RetryMaxDelay>100</RetryMaxDelay>',
        ),
      ),
    ).toMatch(/must not be below <RetryInitialDelay>/);
    const twice = '<Webhook><Name>a</Name><Url>http://x/</Url><SecretKey>k</SecretKey></Webhook>';
    expect(problem(`<Webhooks>${twice}${twice}</Webhooks>`)).toMatch(/duplicate webhook name "a"/);
  });

  it('never shows user information or the query of a URL', () => {
    expect(redactUrl('https://user:pw@hooks.example.com:8443/in?token=abc#x')).toBe(
      'https://hooks.example.com:8443/in',
    );
    expect(
      problem('<Webhooks><Webhook><Url>gopher://u:pw@h/p?token=abc</Url><SecretKey>k</SecretKey></Webhook></Webhooks>'),
    ).not.toMatch(/pw|abc/);
  });

  it('matches event names, groups and *', () => {
    expect(eventTypesMatching('push.*')).toEqual(['push.created', 'push.state', 'push.removed']);
    expect(eventTypesMatching('*')).toEqual(SLUICE_EVENT_TYPES);
    expect(eventTypesMatching('stream.ended')).toEqual(['stream.ended']);
    expect(eventTypesMatching('stats')).toEqual([]);
  });
});
