/** Virtual host tables for the server's unit tests. */
import type { ApplicationConfig } from '../config/server-config.js';
import { VirtualHostTable } from '../hub/virtual-host-table.js';

/** A table of one vhost, `default`, matching every host name (`*`), with these applications. */
export function defaultVhostTable(...applications: ApplicationConfig[]): VirtualHostTable {
  return new VirtualHostTable([{ name: 'default', hostNames: ['*'], applications }]);
}
