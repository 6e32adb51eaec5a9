/** The configured virtual hosts and applications, and which vhost a host name belongs to. */
import type { ApplicationConfig, VirtualHostConfig } from '../config/server-config.js';
import { hostMatches } from '../config/glob-pattern.js';

/** Looks up virtual hosts by name and by host name (`<Host><Names>` patterns, first match wins). */
export class VirtualHostTable {
  constructor(readonly virtualHosts: readonly VirtualHostConfig[]) {}

  /** Names of the virtual hosts, in configuration order. */
  names(): string[] {
    return this.virtualHosts.map((v) => v.name);
  }

  /** The virtual host named `name`, or undefined. */
  byName(name: string): VirtualHostConfig | undefined {
    return this.virtualHosts.find((v) => v.name === name);
  }

  /**
   * The virtual host serving `host` (a host name or address, with or without a port):
   * the first whose patterns match; undefined when none does.
   */
  forHost(host: string): VirtualHostConfig | undefined {
    return this.virtualHosts.find((v) => hostMatches(v.hostNames, host));
  }

  /** The application `app` of virtual host `vhost`, or undefined. */
  application(vhost: string, app: string): ApplicationConfig | undefined {
    return this.byName(vhost)?.applications.find((a) => a.name === app);
  }
}
