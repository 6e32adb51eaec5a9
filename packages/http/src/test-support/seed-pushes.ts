/** startPush bodies for the tests, among them the seed's examples (OvenMediaEngine's Push API reference). */

/** A startPush body for stream `stream` (tracks 101 and 102 unless given). */
export const startPushBody = (id: string, protocol: string, url: string, streamKey: string, tracks = [101, 102]) => ({
  id,
  stream: { name: 'stream', tracks },
  protocol,
  url,
  streamKey,
});

/** The seed's rtmp startPush example. */
export const SEED_RTMP_PUSH = startPushBody(
  'userDefinedUniqueId',
  'rtmp',
  'rtmp://a.rtmp.youtube.com/live2',
  '2u5w-rt7q-tepj-91qa-4yft',
);

/** The seed's mpegts startPush example (empty streamKey). */
export const SEED_MPEGTS_PUSH = startPushBody('ts1', 'mpegts', 'udp://127.0.0.1:5000', '');
