/** Fuzz target of @sluice/http: request bodies of the three push actions through the whole API handler. */
import { createApiFixture, type ApiFixture } from '../../../../packages/http/src/test-support/api-fixture.js';
import { FuzzFinding, type FuzzTarget } from '../target.js';

const ACTIONS = ['startPush', 'stopPush', 'pushes'] as const;
const encoder = new TextEncoder();
const prototypeKeys = (): string => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const PROTOTYPE_KEYS = prototypeKeys();
let fixture: ApiFixture | undefined;
let uses = 0;

export const httpBodies: FuzzTarget = {
  name: 'http-json',
  description: 'JSON bodies of startPush/stopPush/pushes through the API handler (real registry, fake sinks)',
  maxLength: 4096,
  coverage: ['http/src/'],
  seeds: () =>
    [
      {
        id: 'p1',
        stream: { name: 'stream', tracks: [101, 102] },
        protocol: 'rtmp',
        url: 'rtmp://127.0.0.1/live',
        streamKey: 'k',
      },
      { id: 'p2', stream: { name: 'stream', variantNames: ['v'] }, protocol: 'mpegts', url: 'udp://127.0.0.1:5000' },
      { id: 'p1' },
      { __proto__: { admin: true }, constructor: { prototype: { x: 1 } }, id: 'toString' },
    ].map((body, i) => {
      const json = encoder.encode(JSON.stringify(body));
      const out = new Uint8Array(json.length + 1);
      out[0] = i % 3;
      out.set(json, 1);
      return out;
    }),
  run: async (input) => {
    // a fresh registry now and then, so that accepted pushes do not pile up
    if (fixture === undefined || ++uses % 200 === 0) fixture = createApiFixture();
    const action = ACTIONS[(input[0] ?? 0) % ACTIONS.length];
    const result = await fixture.call('POST', `/v1/vhosts/default/apps/app:${action}`, {
      body: input.subarray(1),
      headers: { 'content-type': 'application/json' },
    });
    if (result.status >= 500 || (result.json === null && result.status !== 204))
      throw new FuzzFinding('http-json', input, new Error(`HTTP ${result.status}: ${result.text.slice(0, 200)}`));
    if (prototypeKeys() !== PROTOTYPE_KEYS)
      throw new FuzzFinding('http-json', input, new Error('Object.prototype changed'));
    return result.status < 300 ? 'accepted' : 'refused'; // 204: pushes found none (no body, by the contract)
  },
};
