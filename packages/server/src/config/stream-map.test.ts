import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { checkStreamMapProtocols, expandStreamMacros, parseStreamMap } from './stream-map.js';
import { compileGlob, hostMatches } from './glob-pattern.js';

describe('parseStreamMap', () => {
  it('reads enabled entries, leaves disabled ones out', () => {
    const entries = parseStreamMap(`<PushInfo>
  <Push><Enable>true</Enable><StreamName>*</StreamName><VariantNames>video_h264, aac </VariantNames><Protocol>mpegts</Protocol><Url>udp://127.0.0.1:5000</Url></Push>
  <Push><Enable>false</Enable><StreamName>x</StreamName><Protocol>rtmp</Protocol><Url>rtmp://a/b</Url></Push>
  <Push><StreamName>s?</StreamName><Protocol>rtmp</Protocol><Url>rtmp://a/\${Application}</Url><StreamKey>\${SourceStream}-key</StreamKey></Push>
</PushInfo>`);
    expect(entries.map((e) => [e.streamName, e.protocol, e.index, e.line, e.variantNames])).toEqual([
      ['*', 'mpegts', 0, 2, ['video_h264', 'aac']],
      ['s?', 'rtmp', 1, 4, []],
    ]);
    expect(entries[1]!.streamKey).toBe('${SourceStream}-key');
  });

  it('refuses an unsupported protocol naming the element', () => {
    try {
      const entries = parseStreamMap(
        '<PushInfo>\n<Push><StreamName>*</StreamName><Protocol>hls</Protocol><Url>x</Url></Push></PushInfo>',
        'map.xml',
      );
      checkStreamMapProtocols({ path: 'map.xml', entries }, ['rtmp', 'mpegts']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toBe(
        'map.xml:line 2: <PushInfo.Push.Protocol>: unsupported protocol "hls" (rtmp or mpegts)',
      );
    }
  });

  it('expands macros', () => {
    expect(
      expandStreamMacros('rtmp://h/${Application}/${Stream}?src=${SourceStream}&x=${Other}', {
        application: 'app',
        stream: 's',
        sourceStream: 'src',
      }),
    ).toBe('rtmp://h/app/s?src=src&x=${Other}');
  });
});

describe('wildcards', () => {
  it('matches * and ? and escapes the rest', () => {
    const m = compileGlob('cam?.*');
    expect(m('cam1.hd')).toBe(true);
    expect(m('cam1x')).toBe(false);
    expect(m('cam12.hd')).toBe(false);
    expect(compileGlob('a+b')('a+b')).toBe(true);
  });

  it('matches host names case-insensitively, without the port', () => {
    expect(hostMatches(['*'], 'anything')).toBe(true);
    expect(hostMatches(['*.example.com'], 'Live.Example.com:1935')).toBe(true);
    expect(hostMatches(['*.example.com'], 'example.org')).toBe(false);
    expect(hostMatches(['::1'], '[::1]:80')).toBe(true);
    expect(hostMatches(['127.0.0.1'], '127.0.0.1')).toBe(true);
  });
});
