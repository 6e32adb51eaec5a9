/**
 * A small in-memory PushService for the HTTP tests until (and besides) the real
 * PushRegistry: same typed errors, same record shape, ids sorted.
 */
import {
  DuplicatePushId,
  InvalidPushUrl,
  PushNotFound,
  UnknownTrackId,
  UnsupportedProtocol,
  type PushFilter,
  type PushRecord,
  type PushService,
  type StartPushInput,
} from '@sluice/push';

const EPOCH = '1970-01-01T00:00:00.000+0000';

/** In-memory PushService; `liveTracks` says which streams are live with which track ids. */
export class FakePushService implements PushService {
  readonly records = new Map<string, PushRecord>();
  private nextId = 1;

  constructor(private readonly liveTracks: (vhost: string, app: string, name: string) => number[] | undefined = () => undefined) {}

  startPush(input: StartPushInput): PushRecord {
    const protocol = input.protocol.trim().toLowerCase();
    if (protocol !== 'rtmp' && protocol !== 'mpegts') throw new UnsupportedProtocol(input.protocol.trim());
    const url = input.url.trim().replace(/\/+$/, '');
    const schemes = protocol === 'rtmp' ? ['rtmp:', 'rtmps:'] : ['udp:', 'tcp:'];
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (parsed === null || !schemes.includes(parsed.protocol)) throw new InvalidPushUrl(url, protocol);
    const live = this.liveTracks(input.vhost, input.app, input.stream.name);
    for (const track of input.stream.tracks ?? []) {
      if (live !== undefined && !live.includes(track)) throw new UnknownTrackId(track, input.stream.name);
    }
    const id = input.id === undefined || input.id === '' ? `push-${this.nextId++}` : input.id;
    if (this.records.has(id)) throw new DuplicatePushId(id);
    const record: PushRecord = {
      id,
      vhost: input.vhost,
      app: input.app,
      stream: { name: input.stream.name, tracks: input.stream.tracks ?? live ?? [] },
      protocol,
      url,
      streamKey: (input.streamKey ?? '').trim(),
      state: 'ready',
      sequence: 0,
      sentBytes: 0,
      sentTime: 0,
      totalsentBytes: 0,
      totalsentTime: 0,
      createdTime: '2021-02-04T01:42:40.160+0900',
      startTime: EPOCH,
      finishTime: EPOCH,
    };
    this.records.set(id, record);
    return structuredClone(record);
  }

  stopPush(id: string, scope?: { vhost: string; app: string }): PushRecord {
    const record = this.records.get(id);
    if (record === undefined || (scope !== undefined && (record.vhost !== scope.vhost || record.app !== scope.app))) throw new PushNotFound(id);
    this.records.delete(id);
    return { ...structuredClone(record), state: 'stopping' };
  }

  listPushes(filter: PushFilter = {}): PushRecord[] {
    return [...this.records.values()]
      .filter((r) => (filter.vhost === undefined || r.vhost === filter.vhost) && (filter.app === undefined || r.app === filter.app) && (filter.id === undefined || r.id === filter.id))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => structuredClone(r));
  }
}
