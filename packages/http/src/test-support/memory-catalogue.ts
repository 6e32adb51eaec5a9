/** A StreamCatalogue held in memory, for tests and examples. */
import type { CatalogueApp, CatalogueStream, StreamCatalogue } from '../catalogue.js';

/** vhost → app → { pushEnabled, streams }. */
export interface MemoryCatalogueLayout {
  [vhost: string]: { [app: string]: { pushEnabled: boolean; streams?: CatalogueStream[] } };
}

/** A StreamCatalogue over a fixed layout (Maps, so odd names cannot collide with Object.prototype). */
export class MemoryCatalogue implements StreamCatalogue {
  private readonly hosts = new Map<string, Map<string, { pushEnabled: boolean; streams: CatalogueStream[] }>>();

  constructor(layout: MemoryCatalogueLayout) {
    for (const [vhost, apps] of Object.entries(layout)) {
      const map = new Map<string, { pushEnabled: boolean; streams: CatalogueStream[] }>();
      for (const [app, spec] of Object.entries(apps))
        map.set(app, { pushEnabled: spec.pushEnabled, streams: spec.streams ?? [] });
      this.hosts.set(vhost, map);
    }
  }

  vhosts(): string[] {
    return [...this.hosts.keys()];
  }

  apps(vhost: string): CatalogueApp[] | undefined {
    const apps = this.hosts.get(vhost);
    return apps === undefined ? undefined : [...apps].map(([name, spec]) => ({ name, pushEnabled: spec.pushEnabled }));
  }

  streams(vhost: string, app: string): string[] | undefined {
    return this.hosts
      .get(vhost)
      ?.get(app)
      ?.streams.map((s) => s.name);
  }

  stream(vhost: string, app: string, name: string): CatalogueStream | undefined {
    return this.hosts
      .get(vhost)
      ?.get(app)
      ?.streams.find((s) => s.name === name);
  }

  /** Track ids of a live stream (for FakePushService). */
  trackIds(vhost: string, app: string, name: string): number[] | undefined {
    return this.stream(vhost, app, name)?.tracks.map((t) => t.id);
  }
}
