/** The StreamCatalogue the REST API reads: configured vhosts/apps plus the hub's live streams. */
import type { TrackInfo } from '@sluice/media';
import type { CatalogueApp, CatalogueStream, CatalogueTrack, StreamCatalogue } from '@sluice/http';
import { formatPushTime } from '@sluice/push';
import type { StreamHub } from './stream-hub.js';
import type { VirtualHostTable } from './virtual-host-table.js';

/** Answers discovery calls from the configuration and the live streams of the hub. */
export class ServerCatalogue implements StreamCatalogue {
  constructor(
    private readonly vhosts_: VirtualHostTable,
    private readonly hub: StreamHub,
  ) {}

  vhosts(): readonly string[] {
    return this.vhosts_.names();
  }

  apps(vhost: string): readonly CatalogueApp[] | undefined {
    return this.vhosts_.byName(vhost)?.applications.map((a) => ({ name: a.name, pushEnabled: a.push !== undefined }));
  }

  streams(vhost: string, app: string): readonly string[] | undefined {
    if (this.vhosts_.application(vhost, app) === undefined) return undefined;
    return this.hub.liveStreams({ vhost, app }).map((s) => s.ref.name);
  }

  stream(vhost: string, app: string, name: string): CatalogueStream | undefined {
    if (this.vhosts_.application(vhost, app) === undefined) return undefined;
    const live = this.hub.stream({ vhost, app, name });
    if (live === undefined) return undefined;
    return { name, tracks: live.tracks.map(catalogueTrack), sourceType: 'rtmp', createdTime: formatPushTime(live.publishedAt.getTime()) };
  }
}

/** A track as the discovery API shows it (video: size/frame rate; audio: sample rate/channels). */
export function catalogueTrack(track: TrackInfo): CatalogueTrack {
  const out: CatalogueTrack = { id: track.id, type: track.kind, codec: track.codec };
  if (track.name !== undefined) out.name = track.name;
  if (track.kind === 'video') {
    if (track.width !== undefined) out.width = track.width;
    if (track.height !== undefined) out.height = track.height;
    if (track.frameRate !== undefined) out.framerate = track.frameRate;
  } else if (track.kind === 'audio') {
    if (track.sampleRate !== undefined) out.samplerate = track.sampleRate;
    if (track.channels !== undefined) out.channels = track.channels;
  }
  if (track.bitrate !== undefined) out.bitrate = track.bitrate;
  return out;
}
