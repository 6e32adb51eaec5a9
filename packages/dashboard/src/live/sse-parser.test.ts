import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, SseTooLargeError, type SseEvent } from './sse-parser.js';

function parse(chunks: readonly string[], options?: { lastEventId?: string; maxEventChars?: number }) {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const parser = new SseParser(
    { onEvent: (e) => events.push(e), onRetry: (ms) => retries.push(ms), onComment: (c) => comments.push(c) },
    options,
  );
  for (const chunk of chunks) parser.push(chunk);
  return { events, retries, comments, parser };
}

const STREAM =
  ': heartbeat\n\nid: 42\nevent: push.state\ndata: {"type":"push.state","to":"pushing"}\n\nid: 43\nevent: stats\ndata: {"a":1}\ndata: {"b":2}\n\n';

describe('SseParser', () => {
  it('parses the agreed framing: id, event, data; comments are heartbeats', () => {
    const { events, comments } = parse([STREAM]);
    expect(events).toEqual([
      { type: 'push.state', data: '{"type":"push.state","to":"pushing"}', lastEventId: '42' },
      { type: 'stats', data: '{"a":1}\n{"b":2}', lastEventId: '43' },
    ]);
    expect(comments).toEqual(['heartbeat']);
  });

  it('gives the same events however the text is cut', () => {
    const whole = parse([STREAM]).events;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let at = 0;
        for (const p of points) {
          chunks.push(STREAM.slice(at, p));
          at = p;
        }
        chunks.push(STREAM.slice(at));
        expect(parse(chunks).events).toEqual(whole);
      }),
    );
  });

  it('takes CRLF, LF and CR line ends, a CRLF split across chunks being one', () => {
    const expected = [
      { type: 'a', data: 'x', lastEventId: '' },
      { type: 'b', data: 'y', lastEventId: '' },
    ];
    expect(parse(['event: a\r\ndata: x\r\n\r\nevent: b\r\ndata: y\r\n\r\n']).events).toEqual(expected);
    expect(parse(['event: a\rdata: x\r\revent: b\rdata: y\r\r']).events).toEqual(expected);
    expect(parse(['event: a\r', '\ndata: x\r', '\n\r', '\nevent: b\ndata: y\n\n']).events).toEqual(expected);
  });

  it('follows the field rules: one space dropped, no colon = empty value, unknown fields ignored, BOM dropped', () => {
    const { events } = parse(['\uFEFFdata:  two spaces\nfoo: bar\ndata\n\n']);
    expect(events).toEqual([{ type: 'message', data: ' two spaces\n', lastEventId: '' }]);
  });

  it('an id holds for later events; an id with NUL is ignored; id alone dispatches nothing', () => {
    const { events, parser } = parse(['id: 7\n\ndata: a\n\nid: 8\u0000\ndata: b\n\n'], { lastEventId: '3' });
    expect(events.map((e) => e.lastEventId)).toEqual(['7', '7']);
    expect(parser.resumeId).toBe('7');
  });

  it('reports retry only for digits', () => {
    expect(parse(['retry: 2500\nretry: 2.5\nretry: x\n\n']).retries).toEqual([2500]);
  });

  it('dispatches an event with a type and no data (a bare `event: reset`), not an empty one', () => {
    expect(parse(['event: reset\n\n\n\n']).events).toEqual([{ type: 'reset', data: '', lastEventId: '' }]);
  });

  it('refuses a line or an event bigger than the bound instead of buffering it', () => {
    expect(() => parse(['data: ' + 'x'.repeat(100)], { maxEventChars: 64 })).toThrow(SseTooLargeError);
    expect(() => parse(['data: 0123456789\n'.repeat(10)], { maxEventChars: 64 })).toThrow(SseTooLargeError);
    expect(parse(['data: 0123456789\n\n'.repeat(10)], { maxEventChars: 64 }).events).toHaveLength(10);
  });
});
