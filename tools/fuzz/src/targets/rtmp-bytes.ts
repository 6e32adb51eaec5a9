/** Valid RTMP byte streams (after the handshake) that the RTMP targets mutate. */
import { encodeAmf0Values, type Amf0Value } from '@sluice/media';
import { ChunkStreamWriter } from '@sluice/rtmp';
import { concatBytes } from '../../../../packages/media/src/flv/test-support/flv-file.js';
import { flvTags } from '../seeds.js';

/** A publisher's stream: connect, releaseStream, createStream, publish, metadata, the first media tags. */
export function publisherStream(fixture: string, mediaTags: number): Uint8Array {
  const w = new ChunkStreamWriter();
  const parts: Uint8Array[] = [w.setChunkSize(4096)];
  const command = (streamId: number, ...values: Amf0Value[]): void => {
    parts.push(
      w.encode(streamId === 0 ? 3 : 5, { typeId: 20, timestamp: 0, streamId, payload: encodeAmf0Values(values) }),
    );
  };
  command(0, 'connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live', fourCcList: ['hvc1', 'av01'] });
  command(0, 'releaseStream', 2, null, 'fuzz');
  command(0, 'FCPublish', 3, null, 'fuzz');
  command(0, 'createStream', 4, null);
  command(1, 'publish', 5, null, 'fuzz?key=1', 'live');
  let n = 0;
  for (const tag of flvTags(fixture, mediaTags + 4)) {
    if (n++ >= mediaTags) break;
    const payload = tag.type === 18 ? concatBytes([encodeAmf0Values(['@setDataFrame']), tag.data]) : tag.data;
    parts.push(w.encode(tag.type === 9 ? 6 : 4, { typeId: tag.type, timestamp: tag.timestamp, streamId: 1, payload }));
  }
  command(1, 'deleteStream', 6, null, 1);
  return concatBytes(parts);
}

/** A server's answers to a publisher: window/bandwidth/chunk size, _result, onStatus, a ping. */
export function serverAnswers(): Uint8Array {
  const w = new ChunkStreamWriter();
  const parts: Uint8Array[] = [
    w.encode(2, { typeId: 5, timestamp: 0, streamId: 0, payload: Uint8Array.of(0, 0x26, 0x25, 0xa0) }),
    w.encode(2, { typeId: 6, timestamp: 0, streamId: 0, payload: Uint8Array.of(0, 0x26, 0x25, 0xa0, 2) }),
    w.setChunkSize(4096),
    w.encode(2, { typeId: 4, timestamp: 0, streamId: 0, payload: Uint8Array.of(0, 6, 0, 0, 0, 1) }),
  ];
  const command = (streamId: number, ...values: Amf0Value[]): void => {
    parts.push(
      w.encode(streamId === 0 ? 3 : 5, { typeId: 20, timestamp: 0, streamId, payload: encodeAmf0Values(values) }),
    );
  };
  command(
    0,
    '_result',
    1,
    { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
    {
      level: 'status',
      code: 'NetConnection.Connect.Success',
      description: 'Connection succeeded.',
      objectEncoding: 0,
      fourCcList: ['hvc1'],
    },
  );
  command(0, '_result', 4, null, 1);
  command(1, 'onStatus', 0, null, {
    level: 'status',
    code: 'NetStream.Publish.Start',
    description: 'Start publishing',
  });
  command(1, 'onStatus', 0, null, {
    level: 'error',
    code: 'NetStream.Publish.BadName',
    description: 'Already publishing',
  });
  return concatBytes(parts);
}
