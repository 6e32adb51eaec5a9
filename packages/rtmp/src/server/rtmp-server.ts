/**
 * RtmpServer: accepts RTMP publishers (rtmp://host:port/{app}/{stream}) and hands
 * each one to an RtmpIngestSession. It keeps no table of stream names: which publish
 * may take which name is for `authorize` to decide, and `release` hears when it is
 * over (the Sluice server claims names in its stream hub: one table for every ingest
 * protocol).
 *
 * Events: 'session' (RtmpIngestSession) for every connection, 'publish'
 * (session, PublishInfo) when a stream starts, 'error' (Error) for listener errors.
 */
import { EventEmitter } from 'node:events';
import { emitIsolated } from '@sluice/media';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { RtmpIngestSession } from './rtmp-ingest-session.js';
import type { PublishDecision, PublishInfo, RtmpIngestSessionOptions } from './rtmp-ingest-session.js';
import { RtmpProtocolError } from '../errors.js';

/** Options of an RtmpServer. */
export interface RtmpServerOptions extends RtmpIngestSessionOptions {
  /**
   * Decides whether a publish may start (a name already taken is for it to refuse,
   * e.g. with NetStream.Publish.BadName): return null to accept, or { code, description }
   * to reject with that onStatus. May answer later (a promise, e.g. an admission
   * webhook): no NetStream.Publish.Start is sent and media is dropped until the
   * decision; a rejected promise rejects the publish. Default: accept every publish.
   */
  authorize?: (info: PublishInfo, session: RtmpIngestSession) => PublishDecision | Promise<PublishDecision>;
  /**
   * Called once for every publish `authorize` was asked about, when it is over: refused,
   * unpublished, or the client left (also while the decision was pending). Release
   * here what authorize claimed.
   */
  release?: (info: PublishInfo, session: RtmpIngestSession) => void;
  /** Most simultaneous connections (default 1000); more are closed at once. */
  maxConnections?: number;
  /** Close a connection that has not published within this many ms (default 30000). */
  publishTimeoutMs?: number;
}

/** Events of an RtmpServer. */
export interface RtmpServerEvents {
  session: [session: RtmpIngestSession];
  publish: [session: RtmpIngestSession, info: PublishInfo];
  error: [error: Error];
}

/** An RTMP ingest server. */
export class RtmpServer extends EventEmitter<RtmpServerEvents> {
  /** Live sessions. */
  readonly sessions = new Set<RtmpIngestSession>();
  private server: Server | undefined;

  constructor(private readonly options: RtmpServerOptions = {}) {
    super();
  }

  /** Starts listening; resolves with the bound port. */
  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    if (this.server !== undefined) throw new Error('RtmpServer is already listening');
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    server.maxConnections = this.options.maxConnections ?? 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }

  /** Handles an accepted socket (also usable with sockets accepted elsewhere, e.g. a TLS server). */
  accept(socket: Socket): RtmpIngestSession {
    socket.setNoDelay(true);
    const session = new RtmpIngestSession(
      socket,
      {
        claim: (s, info) => this.options.authorize?.(info, s) ?? null,
        release: (s, info) => this.options.release?.(info, s),
      },
      this.options,
    );
    this.sessions.add(session);
    const timer = setTimeout(() => {
      if (session.publishInfo === undefined)
        session.close(new RtmpProtocolError('no publish within the publish timeout'));
    }, this.options.publishTimeoutMs ?? 30_000);
    timer.unref();
    session.on('publish', (info) => {
      clearTimeout(timer);
      this.safeEmit('publish', session, info);
    });
    session.on('close', () => {
      clearTimeout(timer);
      this.sessions.delete(session);
    });
    this.safeEmit('session', session);
    return session;
  }

  /** Stops listening and closes every session. */
  async close(): Promise<void> {
    for (const s of this.sessions) s.close();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private safeEmit<K extends 'session' | 'publish'>(event: K, ...args: RtmpServerEvents[K]): void {
    emitIsolated(this, event, args, (e) => {
      if (this.listenerCount('error') > 0) this.emit('error', e instanceof Error ? e : new Error(String(e)));
    });
  }
}
