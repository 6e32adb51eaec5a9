/** Every typed push error maps to the contract's status and message through the one table. */
import * as push from '@sluice/push';
import { describe, expect, it } from 'vitest';
import { apiErrorFromPushError, PUSH_ERROR_STATUS } from './push-error-table.js';
import { createApiFixture } from './test-support/api-fixture.js';

const cases: Array<[Error, number, string]> = [
  [new push.DuplicatePushId('myId'), 400, 'Duplicate ID already exists [myId] (400)'],
  [new push.UnsupportedProtocol('hls'), 400, 'Unsupported protocol [hls] (400)'],
  [
    new push.InvalidPushUrl('rtmp:/x', 'rtmp', 'no host'),
    400,
    'Invalid URL [rtmp:/x] for protocol [rtmp]: no host (400)',
  ],
  // the passphrase (and any secret query value, user info, stream-key segment) is not echoed; the reason is
  [
    new push.InvalidPushUrl(
      'srt://h:9000?passphrase=verysecretphrase&latency=120ms',
      'srt',
      'Invalid srt:// URL: latency must be a whole number of microseconds from 0 to 65535000, got [120ms]',
    ),
    400,
    'Invalid URL [srt://h:9000?passphrase=[redacted]&latency=120ms] for protocol [srt]: latency must be a whole number of microseconds from 0 to 65535000, got [120ms] (400)',
  ],
  [
    new push.InvalidPushUrl(
      'rtmp://user:pw@h/app/streamkey?token=t0k3n',
      'rtmp',
      'Invalid URL [rtmp://user:pw@h/app/streamkey?token=t0k3n]: bad',
    ),
    400,
    'Invalid URL [rtmp://[redacted]@h/app/[redacted]?token=[redacted]] for protocol [rtmp]: bad (400)',
  ],
  [new push.UnknownTrackId(7, 'name'), 400, 'Unknown track id [7] in stream [name] (400)'],
  [
    new push.MissingPushParameter(['stream.name', 'url']),
    400,
    'There is no required parameter [stream.name, url] (400)',
  ],
  [
    new push.PushLimitReached('default', 'app', 3),
    409,
    'The application [default/app] already has 3 pushes, the most its MaxPushes allows (409)',
  ],
  [
    new push.DestinationDenied(
      'db.internal',
      'default/app',
      'it resolves to 10.0.0.5, which <Deny>10.0.0.0/8</Deny> refuses',
    ),
    400,
    'Destination denied [db.internal] for application [default/app]: it resolves to 10.0.0.5, which <Deny>10.0.0.0/8</Deny> refuses (400)',
  ],
  [new push.PushNotFound('x'), 404, 'There is no push information related to the ID [x] (404)'],
  [
    new push.PushRegistryUnavailable(
      'Push registry unavailable: cannot list the pushes: Redis at h:6379: not connected',
    ),
    503,
    'Push registry unavailable: cannot list the pushes: Redis at h:6379: not connected (503)',
  ],
];

describe('push error table', () => {
  it('covers every typed error of @sluice/push', () => {
    expect(PUSH_ERROR_STATUS.map(([type]) => type.name).sort()).toEqual(
      [...new Set(cases.map(([e]) => e.constructor.name))].sort(),
    );
    expect(apiErrorFromPushError(new Error('other'))).toBeNull();
    expect(apiErrorFromPushError('not an error')).toBeNull();
  });

  it.each(cases)('%s → %i %s (thrown, and rejected by an async service)', async (error, status, message) => {
    const rejecting: push.PushService = {
      startPush: () => Promise.reject(error),
      stopPush: () => Promise.reject(error),
      listPushes: () => Promise.reject(error),
    };
    const failing: push.PushService = {
      startPush: () => {
        throw error;
      },
      stopPush: () => {
        throw error;
      },
      listPushes: () => {
        throw error;
      },
    };
    const body = { stream: { name: 's' }, protocol: 'rtmp', url: 'rtmp://h/a', streamKey: '', id: 'i' };
    for (const service of [failing, rejecting]) {
      const api = createApiFixture({ push: service });
      for (const action of ['startPush', 'stopPush', 'pushes']) {
        const result = await api.call('POST', `/v1/vhosts/default/apps/app:${action}`, { body });
        expect(result.status).toBe(status);
        expect(result.text).toBe(JSON.stringify({ statusCode: status, message }));
      }
    }
  });
});
