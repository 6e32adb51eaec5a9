/**
 * The real PushRegistry for the HTTP contract tests, wired to a source backed by a
 * MemoryCatalogue (streams listed there are live) and fake sinks that accept every
 * connection and count bytes. Built only from @sluice/push's public interfaces.
 */
import { PushRegistry, type PushProtocolModule, type PushSink, type PushSource, type PushTarget } from '@sluice/push';
import type { MemoryCatalogue } from './memory-catalogue.js';

type Tracks = NonNullable<ReturnType<PushSource['tracksOf']>>;

/** A sink that opens at once, swallows packets and closes at once. */
class AcceptingSink implements PushSink {
  bytesSent = 0;
  readonly bufferedBytes = 0;
  async open(): Promise<void> {}
  send(packet: Parameters<PushSink['send']>[0]): boolean {
    this.bytesSent += packet.data.byteLength;
    return true;
  }
  onDrain(): void {}
  onError(): void {}
  async close(): Promise<void> {}
}

/** A push protocol named `name` that accepts urls whose scheme is one of `schemes`. */
class AcceptingProtocol implements PushProtocolModule {
  readonly targets: PushTarget[] = [];
  readonly urlForms: string;
  readonly streamKeyUse: string;
  constructor(
    readonly name: string,
    private readonly schemes: readonly string[],
    readonly requiresStreamKey: boolean,
  ) {
    this.urlForms = schemes.map((s) => `\`${s}://...\``).join(' or ');
    this.streamKeyUse = requiresStreamKey ? 'Required (may be empty).' : 'Not used.';
  }
  cannotCarry(): string | null {
    return null;
  }
  checkUrl(url: string): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'the url does not parse';
    }
    return this.schemes.includes(parsed.protocol.slice(0, -1)) ? null : `scheme ${parsed.protocol} does not match`;
  }
  create(target: PushTarget): PushSink {
    this.targets.push(target);
    return new AcceptingSink();
  }
}

/** A PushSource whose live streams are the catalogue's (no packets flow). */
class CatalogueSource implements PushSource {
  constructor(private readonly catalogue: MemoryCatalogue) {}
  subscribe(
    ref: Parameters<PushSource['subscribe']>[0],
    subscriber: Parameters<PushSource['subscribe']>[1],
  ): () => void {
    const tracks = this.tracksOf(ref);
    if (tracks !== undefined) subscriber.onStreamStart(tracks);
    return () => undefined;
  }
  tracksOf(ref: Parameters<PushSource['tracksOf']>[0]): Tracks | undefined {
    const stream = this.catalogue.stream(ref.vhost, ref.app, ref.name);
    if (stream === undefined) return undefined;
    return stream.tracks.map((t) => ({
      id: t.id,
      kind: t.type,
      codec: t.codec === 'aac' ? 'aac' : 'h264',
      timescale: 1000,
    }));
  }
}

/** Accepting protocols named like the server's: rtmp (streamKey required) and mpegts. */
export function acceptingProtocols(): PushProtocolModule[] {
  return [
    new AcceptingProtocol('rtmp', ['rtmp', 'rtmps'], true),
    new AcceptingProtocol('mpegts', ['udp', 'tcp'], false),
  ];
}

/** A PushRegistry over `catalogue` with `protocols`' sinks; times rendered in +0900 like the seed. */
export function createRegistryService(
  catalogue: MemoryCatalogue,
  protocols: readonly PushProtocolModule[] = acceptingProtocols(),
): PushRegistry {
  return new PushRegistry({
    source: new CatalogueSource(catalogue),
    sinks: Object.fromEntries(protocols.map((p) => [p.name, p])),
    utcOffsetMinutes: 540,
  });
}
