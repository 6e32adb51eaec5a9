/** Fuzz target of @sluice/srt: the stream ID a caller sends, read as the stream it names. */
import { parseSrtStreamId, SrtStreamIdError } from '@sluice/srt';
import { expectTyped, type FuzzTarget } from '../target.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const srtStreamId: FuzzTarget = {
  name: 'srt-stream-id',
  description:
    'SRT stream IDs (`parseSrtStreamId`: vhost/app/stream, srt:// URL, #!:: access control, percent-encoded)',
  maxLength: 600,
  coverage: ['srt/src/stream-id.ts'],
  seeds: () =>
    [
      'default/live/cam',
      'default%2Flive%2Fcam%3Fpolicy%3Dp%26signature%3Ds',
      'srt://ingest.example.com:9999/live/cam?policy=eyJ1cmxfZXhwaXJlIjoxfQ&signature=abc',
      'srt%3A%2F%2F%5B%3A%3A1%5D%3A9999%2Flive%2Fcam',
      '#!::r=live/cam,m=publish',
      '#!::u=alice,h=studio.example.com,r=default/live/cam?policy=p,m=request',
    ].map((s) => encoder.encode(s)),
  run: (input) => expectTyped(() => parseSrtStreamId(decoder.decode(input)), [SrtStreamIdError]),
};
