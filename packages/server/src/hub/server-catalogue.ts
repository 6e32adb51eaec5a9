/** The StreamCatalogue the REST API reads: configured vhosts/apps plus the hub's live streams. */
import {
  catalogueTrackFromTrackInfo,
  type CatalogueApp,
  type CatalogueStream,
  type StreamCatalogue,
} from '@sluice/http';
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
    return {
      name,
      tracks: live.tracks.map(catalogueTrackFromTrackInfo),
      sourceType: live.sourceType,
      createdTime: formatPushTime(live.publishedAt.getTime()),
      discontinuities: live.discontinuities,
    };
  }
}
