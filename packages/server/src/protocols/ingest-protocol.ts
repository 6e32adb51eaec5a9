/**
 * The shape of an ingest protocol: a listener that receives streams from encoders and
 * publishes them into the stream hub (tracks with codec configuration, then packets in
 * decode order). The server opens one per entry of its protocol list (./index.ts).
 */
import type { Socket } from 'node:net';
import type { StreamRef } from '@sluice/push';
import type { PublishAdmission } from '../access/publish-admission.js';
import type { ServerConfig } from '../config/server-config.js';
import type { PublicationPeer, StreamPublication } from '../hub/stream-hub.js';
import type { VirtualHostTable } from '../hub/virtual-host-table.js';
import type { Logger } from '../log/logger.js';

/** What an ingest gets to work with. */
export interface IngestContext {
  /**
   * Claims a stream name in the hub and returns its publication, tagged with the protocol's
   * `sourceType`; throws StreamAlreadyPublished when another publisher holds the name (the
   * server's one check that a name has one publisher: refuse in the protocol's own words).
   * Claim before the admission decides (the name is held meanwhile; the stream goes live at
   * the first setTracks) and end() the publication when refused or over.
   */
  publish(this: void, ref: StreamRef, peer?: PublicationPeer): StreamPublication;
  vhosts: VirtualHostTable;
  log: Logger;
  /** The server's configuration (an ingest's own settings, e.g. `<Bind><Providers><SRT><Options>`); absent in tests that build a context by hand. */
  config?: ServerConfig | undefined;
  /**
   * Who may publish (SignedPolicy, AdmissionWebhooks): an ingest awaits `admit()` before
   * publishing into the hub and reports its refusals (see PublishAdmission).
   */
  admission?: PublishAdmission | undefined;
}

/** A running ingest listener. */
export interface IngestService {
  /** Opens the port; resolves with the port bound. */
  listen(host: string | undefined, port: number): Promise<number>;
  /** Closes the port and every connection. */
  close(): Promise<void>;
  /** Takes a connection accepted elsewhere (the RTMPS port, already decrypted); absent: no TLS port for this ingest. */
  accept?(socket: Socket): void;
}

/** One ingest protocol as a single object; registered in the server's protocol list. */
export interface IngestProtocol {
  /** Lower-case name, e.g. `rtmp`; the key of its port in SluiceAddresses.ingestPorts. */
  readonly name: string;
  /** How a stream it publishes arrived, as the discovery API's `sourceType` shows it. */
  readonly sourceType: string;
  /** The port to listen on from the configuration; undefined: not configured, not opened. */
  port(config: ServerConfig): number | undefined;
  /** Creates the listener (nothing listens until listen()). */
  create(context: IngestContext): IngestService;
}
