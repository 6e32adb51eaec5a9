/**
 * Wires the per-application destination policies (`<Push><Destinations>`) into the server:
 * the push registry resolves every connection attempt's host through `resolveHostFor`
 * (checked, pinned: see access/destination-policy.ts), and the API's startPush is
 * answered 400 (DestinationDenied) when the host already resolves to a denied address.
 * StreamMap pushes are not checked at creation (their urls are the operator's own);
 * their connection attempts are, like every push's.
 */
import { resolveHostSystem, type HostResolver } from '@sluice/media';
import type { PushProtocolModule, PushService, StartPushInput, StoredPush } from '@sluice/push';
import { DestinationPolicy } from '../access/destination-policy.js';
import type { VirtualHostTable } from '../hub/virtual-host-table.js';

/** What the guard needs from the server. */
export interface DestinationGuardOptions {
  vhosts: VirtualHostTable;
  /** The push protocols (their `destinationHost` says which host a url connects to). */
  protocols: readonly PushProtocolModule[];
  /** Validates a start request without creating anything (PushRegistry.prepare). */
  prepare: (input: StartPushInput) => StoredPush;
  /** How hosts are looked up before the policy checks them (default: the system resolver). */
  resolveHost?: HostResolver | undefined;
}

/** The server's destination checks. */
export class DestinationGuard {
  private readonly policies = new Map<string, DestinationPolicy | undefined>();
  private readonly base: HostResolver;
  private readonly resolvers = new Map<string, HostResolver>();

  constructor(private readonly options: DestinationGuardOptions) {
    this.base = options.resolveHost ?? resolveHostSystem;
  }

  /** The registry's `resolveHostFor`: the application's checking resolver, or the plain one (an injected one, else none). */
  resolveHostFor(scope: { vhost: string; app: string }): HostResolver | undefined {
    const policy = this.policyOf(scope);
    if (policy === undefined) return this.options.resolveHost;
    const key = policy.scope;
    let resolver = this.resolvers.get(key);
    if (resolver === undefined) {
      resolver = policy.resolver(this.base);
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }

  /** `service` with startPush checked against the application's policy first (after the request's own validation). */
  guard(service: PushService): PushService {
    return {
      startPush: async (input) => {
        const definition = this.options.prepare(input);
        const policy = this.policyOf(definition);
        if (policy !== undefined) await policy.checkAtStart(this.hostOf(definition), this.base);
        return service.startPush(input);
      },
      stopPush: (id, scope) => service.stopPush(id, scope),
      listPushes: (filter) => service.listPushes(filter),
    };
  }

  private policyOf(scope: { vhost: string; app: string }): DestinationPolicy | undefined {
    const key = `${scope.vhost}/${scope.app}`;
    if (!this.policies.has(key)) {
      const rules = this.options.vhosts.application(scope.vhost, scope.app)?.push?.destinations;
      this.policies.set(key, rules === undefined ? undefined : new DestinationPolicy(rules, key));
    }
    return this.policies.get(key);
  }

  private hostOf(definition: StoredPush): string {
    const module = this.options.protocols.find((p) => p.name === definition.protocol);
    if (module?.destinationHost !== undefined) return module.destinationHost(definition);
    // a protocol without destinationHost: its url's authority, as the WHATWG parser reads it
    const host = new URL(definition.url).hostname;
    return host.startsWith('[') ? host.slice(1, -1) : host;
  }
}
