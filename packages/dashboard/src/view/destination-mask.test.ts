import { describe, expect, it } from 'vitest';
import { destinationOf, maskSecret } from './destination-mask.js';

describe('maskSecret', () => {
  it('hides the length; a long secret keeps its last 4 characters to tell keys apart', () => {
    expect(maskSecret('')).toBe('');
    expect(maskSecret('abc')).toBe('••••••••');
    expect(maskSecret('abcdefghijk')).toBe('••••••••');
    expect(maskSecret('abcd-efgh-ijkl-mnop')).toBe('••••••••mnop');
  });
});

describe('destinationOf', () => {
  it('rtmp: url + "/" + key, the key masked', () => {
    const view = destinationOf({
      protocol: 'rtmp',
      url: 'rtmp://a.rtmp.youtube.com/live2',
      streamKey: 'abcd-efgh-ijkl-mnop',
    });
    expect(view).toEqual({
      masked: 'rtmp://a.rtmp.youtube.com/live2/••••••••mnop',
      full: 'rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop',
      hasSecret: true,
    });
  });

  it('rtmp without a key apart: the last path segment is the key', () => {
    const view = destinationOf({ protocol: 'rtmp', url: 'rtmps://live.example.com:443/app/secret', streamKey: '' });
    expect(view.masked).toBe('rtmps://live.example.com:443/app/••••••••');
    expect(view.full).toBe('rtmps://live.example.com:443/app/secret');
    expect(view.hasSecret).toBe(true);
  });

  it('rtmp with only an app in the path has nothing to hide', () => {
    expect(destinationOf({ protocol: 'rtmp', url: 'rtmp://host/app', streamKey: '' })).toEqual({
      masked: 'rtmp://host/app',
      full: 'rtmp://host/app',
      hasSecret: false,
    });
  });

  it('a password in the user info is masked', () => {
    const view = destinationOf({ protocol: 'rtmp', url: 'rtmp://user:hunter2@host/app', streamKey: 'k' });
    expect(view.masked).toBe('rtmp://user:••••••••@host/app/••••••••');
    expect(view.full).toBe('rtmp://user:hunter2@host/app/k');
  });

  it('srt: passphrase and streamid values are masked, the other options shown', () => {
    const view = destinationOf({
      protocol: 'srt',
      url: 'srt://ingest.example.com:9000?streamid=%23!%3A%3Ar%3Dlive%2Fkey&latency=120000&passphrase=0123456789abcdef',
      streamKey: '',
    });
    // streamid `#!::r=live/key` (decoded): bullets and its last 4 characters
    expect(view.masked).toBe(
      'srt://ingest.example.com:9000?streamid=••••••••/key&latency=120000&passphrase=••••••••cdef',
    );
    expect(view.hasSecret).toBe(true);
    expect(view.full).toContain('passphrase=0123456789abcdef');
  });

  it('mpegts over udp/tcp: nothing to hide', () => {
    expect(destinationOf({ protocol: 'mpegts', url: 'udp://239.0.0.1:5000', streamKey: '' })).toEqual({
      masked: 'udp://239.0.0.1:5000',
      full: 'udp://239.0.0.1:5000',
      hasSecret: false,
    });
  });
});
