import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSrtStreamId, SrtStreamIdError, type SrtStreamIdErrorCode } from './stream-id.js';

function errorCode(streamId: string): SrtStreamIdErrorCode | undefined {
  try {
    parseSrtStreamId(streamId);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(SrtStreamIdError);
    return (e as SrtStreamIdError).code;
  }
}

describe('parseSrtStreamId', () => {
  it('{vhost}/{app}/{stream}, raw and percent-encoded, with a query', () => {
    expect(parseSrtStreamId('default/live/cam')).toEqual({
      form: 'path',
      vhost: 'default',
      app: 'live',
      stream: 'cam',
      query: '',
      mode: 'publish',
    });
    expect(parseSrtStreamId('default%2Flive%2Fcam%3Fpolicy%3Dp%26signature%3Ds')).toMatchObject({
      vhost: 'default',
      app: 'live',
      stream: 'cam',
      query: 'policy=p&signature=s',
    });
  });

  it('srt://host[:port]/{app}/{stream}?query, decoded by the encoder or still encoded (OvenMediaEngine)', () => {
    const url = 'srt://Ingest.Example.com:9999/live/cam?policy=p&signature=s';
    const expected = {
      form: 'url',
      host: 'ingest.example.com',
      port: 9999,
      app: 'live',
      stream: 'cam',
      query: 'policy=p&signature=s',
      mode: 'publish',
      url,
    };
    expect(parseSrtStreamId(url)).toEqual(expected);
    expect(parseSrtStreamId(encodeURIComponent(url))).toEqual(expected);
    expect(parseSrtStreamId('srt://[::1]/live/cam')).toEqual({
      form: 'url',
      host: '::1',
      app: 'live',
      stream: 'cam',
      query: '',
      mode: 'publish',
      url: 'srt://[::1]/live/cam',
    });
  });

  it('#!::r=app/stream,m=publish (access control), keys in any order, h and u kept, m request by default', () => {
    expect(parseSrtStreamId('#!::r=live/cam,m=publish')).toEqual({
      form: 'access-control',
      app: 'live',
      stream: 'cam',
      query: '',
      mode: 'publish',
    });
    expect(parseSrtStreamId('#!::u=alice,m=publish,h=Studio.example.com,r=live/cam?policy=p')).toEqual({
      form: 'access-control',
      host: 'studio.example.com',
      user: 'alice',
      app: 'live',
      stream: 'cam',
      query: 'policy=p',
      mode: 'publish',
    });
    expect(parseSrtStreamId('#!::r=other/live/cam,m=publish')).toMatchObject({ vhost: 'other', app: 'live' });
    expect(parseSrtStreamId('#!::r=live/cam')).toMatchObject({ mode: 'request' });
    expect(parseSrtStreamId('#!::r=live/cam,m=request')).toMatchObject({ mode: 'request' });
    expect(parseSrtStreamId('%23!%3A%3Ar%3Dlive%2Fcam%2Cm%3Dpublish')).toMatchObject({ app: 'live', mode: 'publish' });
  });

  it.each<[string, SrtStreamIdErrorCode]>([
    ['', 'empty'],
    ['x'.repeat(513), 'too-long'],
    ['live%2', 'encoding'],
    ['cam', 'form'],
    ['live/cam', 'form'],
    ['a/b/c/d', 'form'],
    ['default//cam', 'form'],
    ['rtmp://host/live/cam', 'form'],
    ['srt://host:99999/live/cam', 'form'],
    ['srt://host/live', 'form'],
    ['#!::m=publish', 'form'],
    ['#!::r=live/cam,m=play', 'mode'],
    ['#!::r=live/cam,broken', 'form'],
    ['default/live/c am', 'form'],
  ])('%j is refused: %s', (streamId, code) => {
    expect(errorCode(streamId)).toBe(code);
  });

  it('the error carries the peer’s words, cut to 512 characters', () => {
    const long = 'y'.repeat(2000);
    expect(() => parseSrtStreamId(long)).toThrow(
      expect.objectContaining({ code: 'too-long', streamId: 'y'.repeat(512) }),
    );
    expect(() => parseSrtStreamId('#!::r=live/cam,m=play')).toThrow('m=play (request, publish or bidirectional)');
  });

  it('fuzz: any text gives a target or an SrtStreamIdError', () => {
    const pieces = fc.constantFrom('/', '%', '%2F', '#!::', 'r=', 'm=', ',', '?', 'srt://', ':', '[', ']', 'a', '=');
    const text = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.array(pieces, { maxLength: 40 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(text, (s) => {
        try {
          const t = parseSrtStreamId(s);
          expect(t.app).not.toBe('');
          expect(t.stream).not.toBe('');
        } catch (e) {
          expect(e).toBeInstanceOf(SrtStreamIdError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
