import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { redactingLogger, redactText, REDACTED, SecretSet } from './redacting-logger.js';

describe('redacting logger', () => {
  it('removes known secrets and their Basic form from messages and fields', () => {
    const lines: string[] = [];
    const secrets = new SecretSet();
    secrets.add('t0ken-value', { basic: true });
    secrets.add('live_123_abc');
    secrets.add('abc'); // too short to search for
    const log = redactingLogger(createLogger({ write: (l) => lines.push(l), level: 'debug' }), secrets);
    log.info('failed with live_123_abc in it', {
      url: 'rtmp://h/app',
      note: `Basic ${Buffer.from('t0ken-value').toString('base64')}`,
    });
    log.debug('token t0ken-value', { streamKey: 'anything', authorization: 'x' });
    const text = lines.join('\n');
    expect(text).not.toContain('live_123_abc');
    expect(text).not.toContain('t0ken-value');
    expect(text).not.toContain(Buffer.from('t0ken-value').toString('base64'));
    expect(text).toContain(`streamKey=${REDACTED}`);
    expect(text).toContain('url=rtmp://h/app');
  });

  it('removes secret-shaped parts of text it was not told about', () => {
    expect(redactText('GET /v1/x?token=abc123&id=7')).toBe(`GET /v1/x?token=${REDACTED}&id=7`);
    expect(redactText('rtmp://127.0.0.1:1935/app/stream?policy=eyJ&signature=xyz')).toBe(
      `rtmp://127.0.0.1:1935/app/${REDACTED}?policy=${REDACTED}&signature=${REDACTED}`,
    );
    expect(redactText('pushing to rtmps://a.rtmps.youtube.com:443/live2/xxxx-yyyy now')).toBe(
      `pushing to rtmps://a.rtmps.youtube.com:443/live2/${REDACTED} now`,
    );
    expect(redactText('rtmp://live.twitch.tv/app')).toBe('rtmp://live.twitch.tv/app');
    expect(redactText('Authorization: Basic b21lLWFjY2Vzcy10b2tlbg==')).toBe(`Authorization: ${REDACTED}`);
    expect(redactText('{"authorization":"Bearer abc"}')).toBe(`{"authorization":"${REDACTED}"}`);
    expect(redactText('srt://host:9000?streamid=#!::r=app/s&passphrase=secretsecret')).toBe(
      `srt://host:9000?streamid=#!::r=app/s&passphrase=${REDACTED}`,
    );
    expect(redactText('tcp://user:pw@host:1')).toBe(`tcp://${REDACTED}@host:1`);
  });
});
