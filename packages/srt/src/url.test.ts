import { describe, expect, it } from 'vitest';
import { SrtConnectionError } from './errors.js';
import { checkSrtUrl, parseSrtUrl } from './url.js';

function urlError(url: string): string {
  try {
    parseSrtUrl(url);
  } catch (error) {
    expect(error).toBeInstanceOf(SrtConnectionError);
    expect((error as SrtConnectionError).code).toBe('url');
    return (error as Error).message;
  }
  throw new Error(`${url} parsed`);
}

describe('parseSrtUrl', () => {
  it('reads host, port and the ffmpeg query names (latency and timeout in microseconds)', () => {
    expect(
      parseSrtUrl(
        'srt://ingest.example.com:9999?latency=120000&passphrase=0123456789ab&pbkeylen=32&streamid=live/cam&timeout=2500000&pkt_size=1316&mode=caller',
      ),
    ).toEqual({
      mode: 'caller',
      host: 'ingest.example.com',
      port: 9999,
      latencyMs: 120,
      passphrase: '0123456789ab',
      pbkeylen: 32,
      streamId: 'live/cam',
      connectTimeoutMs: 2500,
      peerIdleTimeoutMs: 2500,
      payloadSize: 1316,
    });
  });

  it('gives only what the url says; defaults are the library’s', () => {
    expect(parseSrtUrl('srt://127.0.0.1:5000')).toEqual({ mode: 'caller', host: '127.0.0.1', port: 5000 });
    expect(parseSrtUrl('SRT://[::1]:5000/')).toEqual({ mode: 'caller', host: '::1', port: 5000 });
    expect(parseSrtUrl('srt://:5000?mode=listener')).toEqual({ mode: 'listener', host: '', port: 5000 });
    expect(parseSrtUrl('srt://h:1?pbkeylen=0&passphrase=')).toEqual({ mode: 'caller', host: 'h', port: 1 });
  });

  it('keeps # in a value and percent-decodes (the access-control streamid forms)', () => {
    expect(parseSrtUrl('srt://h:1?streamid=#!::r=live/cam,m=publish').streamId).toBe('#!::r=live/cam,m=publish');
    expect(parseSrtUrl('srt://h:1?streamid=%23!%3A%3Ar%3Dlive%2Fcam').streamId).toBe('#!::r=live/cam');
    expect(parseSrtUrl('srt://h:1?srt_streamid=a+b').streamId).toBe('a+b');
    expect(parseSrtUrl('srt://h:1?passphrase=with%20a%20space').passphrase).toBe('with a space');
  });

  it('takes connect_timeout in milliseconds over timeout, and the other aliases', () => {
    expect(parseSrtUrl('srt://h:1?timeout=4000000&connect_timeout=1500')).toMatchObject({
      connectTimeoutMs: 1500,
      peerIdleTimeoutMs: 4000,
    });
    expect(parseSrtUrl('srt://h:1?peer_idle_timeout=8000000')).toEqual({
      mode: 'caller',
      host: 'h',
      port: 1,
      peerIdleTimeoutMs: 8000,
    });
    expect(parseSrtUrl('srt://h:1?payload_size=1128&maxbw=-1&oheadbw=50')).toMatchObject({
      payloadSize: 1128,
      maxBandwidth: -1,
      overheadPercent: 50,
    });
    expect(parseSrtUrl('srt://h:1?latency=1000000').latencyMs).toBe(1000);
  });

  it('refuses bad values with errors naming the argument, the range and the value', () => {
    expect(urlError('http://h:1')).toBe('Invalid srt:// URL: the scheme must be srt://');
    expect(urlError('srt://h')).toBe('Invalid srt:// URL: a port 1..65535 is required');
    expect(urlError('srt://h:70000')).toBe(
      'Invalid srt:// URL: the port must be a whole number from 1 to 65535, got [70000]',
    );
    expect(urlError('srt://:1')).toBe('Invalid srt:// URL: a host is required (mode=caller)');
    expect(urlError('srt://h:1/app/stream')).toBe(
      'Invalid srt:// URL: a path [/app/stream] is not part of an SRT address (name the stream with ?streamid=)',
    );
    expect(urlError('srt://h:1?latency=120ms')).toBe(
      'Invalid srt:// URL: latency must be a whole number of microseconds from 0 to 65535000, got [120ms]',
    );
    expect(urlError('srt://h:1?latency=-1')).toContain('latency must be a whole number of microseconds');
    expect(urlError('srt://h:1?pbkeylen=8')).toBe('Invalid srt:// URL: pbkeylen must be 0, 16, 24 or 32, got [8]');
    expect(urlError('srt://h:1?passphrase=short')).toBe(
      'Invalid srt:// URL: passphrase must be 10 to 79 characters, got 5',
    );
    expect(urlError('srt://h:1?mode=rendezvous')).toBe(
      'Invalid srt:// URL: mode must be caller or listener, got [rendezvous]',
    );
    expect(urlError('srt://h:1?timeout=10')).toBe(
      'Invalid srt:// URL: timeout must be a whole number of microseconds from 1000 to 3600000000, got [10]',
    );
    expect(urlError('srt://h:1?pkt_size=100')).toContain('pkt_size must be a whole number of bytes from 188 to 1456');
    expect(urlError(`srt://h:1?streamid=${'x'.repeat(513)}`)).toBe(
      'Invalid srt:// URL: streamid must be at most 512 bytes, got 513',
    );
    expect(urlError('srt://h:1?streamid=%E0%A4%A')).toBe(
      'Invalid srt:// URL: streamid has a malformed percent-encoding',
    );
    expect(urlError('srt://h:1?latency=1&latency=2')).toBe('Invalid srt:// URL: parameter latency is given twice');
    expect(urlError('srt://h:1?streamid=a&srt_streamid=b')).toContain('give one');
    expect(urlError('srt://u@h:1')).toContain('user information');
  });

  it('refuses unknown parameters (a misspelt passphrase must not send in clear) and never echoes the passphrase', () => {
    expect(urlError('srt://h:1?passphrse=0123456789ab')).toMatch(
      /^Invalid srt:\/\/ URL: unknown parameter \[passphrse\] \(known: mode, latency, /,
    );
    expect(urlError('srt://h:1?passphrase=secret123')).not.toContain('secret123');
    expect(checkSrtUrl('srt://h:1?latency=x')).toContain('latency');
    expect(checkSrtUrl('srt://h:1')).toBeNull();
  });
});
