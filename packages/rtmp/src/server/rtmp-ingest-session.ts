/**
 * RtmpIngestSession: one encoder connected to our RTMP server. Answers the
 * NetConnection/NetStream commands of a publisher (connect, releaseStream,
 * FCPublish, createStream, publish, FCUnpublish, deleteStream), and emits the
 * published stream as @sluice/media tracks and packets.
 *
 * Events: 'publish' (PublishInfo), 'tracks' (TrackInfo[]), 'packet' (MediaPacket),
 * 'metadata' (onMetaData properties), 'unpublish' (), 'close' (Error | undefined).
 * A misbehaving client only ever closes its own session.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Amf0Object, Amf0Value, MediaPacket, TrackInfo } from '@sluice/media';
import { amf0Properties } from '@sluice/media';
import { RtmpConnection } from '../connection/rtmp-connection.js';
import type { ChunkStreamReaderOptions } from '../chunk/chunk-stream-reader.js';
import {
  setPeerBandwidthMessage,
  UserControlEvent,
  userControlMessage,
  windowAckSizeMessage,
} from '../chunk/protocol-control.js';
import { DEFAULT_OUT_CHUNK_SIZE } from '../chunk/chunk-stream-writer.js';
import { decodeCommand } from '../command/command-message.js';
import type { RtmpCommand } from '../command/command-message.js';
import { announcedFourCcs, enhancedConnectFields } from '../command/enhanced-rtmp.js';
import { statusObject, StatusCode } from '../command/status.js';
import { ChunkStreamId, MessageType } from '../message.js';
import type { RtmpMessage } from '../message.js';
import { RtmpProtocolError } from '../errors.js';
import { IngestTracks } from './ingest-tracks.js';
import { forEachAggregatePart } from './aggregate-message.js';

/** What a publisher asked for. */
export interface PublishInfo {
  /** First path segment of tcUrl (or of the connect `app` when tcUrl is absent). */
  app: string;
  /** Publish name without its `?query`. */
  name: string;
  /** The query after `?` in the publish name ('' when none), e.g. a stream key's token. */
  query: string;
  /** tcUrl from connect ('' when absent). */
  tcUrl: string;
  /** Host part of tcUrl (for virtual hosts), '' when absent. */
  host: string;
  /** The publish type argument ('live', 'record', 'append'). */
  type: string;
}

/** How the server decides on a publish: null to accept, or a status to reject with. */
export type PublishDecision = null | { code: string; description: string };

/** Hooks an RtmpServer gives its sessions. */
export interface IngestSessionHooks {
  /**
   * Claims a stream for this session; returns (or resolves with) a rejection when it
   * cannot publish. While a returned promise is pending the publish is held: no
   * NetStream.Publish.Start is sent and media the client sends meanwhile is dropped
   * (a conforming encoder sends none before Publish.Start). A rejection is sent as an
   * onStatus `level: error` with the decision's code and description, then the
   * connection is closed.
   */
  claim(session: RtmpIngestSession, info: PublishInfo): PublishDecision | Promise<PublishDecision>;
  /** Releases the stream claimed by this session (also after a rejection or a claim that failed). */
  release(session: RtmpIngestSession, info: PublishInfo): void;
}

/** Options of an ingest session. */
export interface RtmpIngestSessionOptions {
  /** Outgoing chunk size (default 4096). */
  chunkSize?: number;
  /** Caps on what the client may make us buffer. */
  reader?: ChunkStreamReaderOptions;
  /** Largest command/data message accepted, bytes (default 64 KiB). */
  maxCommandLength?: number;
  /** Close a session that sends nothing for this long, ms (default 30000; 0 = never). */
  idleTimeoutMs?: number;
  /** FourCCs announced to E-RTMP clients (default hvc1, av01, vp09, avc1, Opus, mp4a, .mp3). */
  fourCcList?: readonly string[];
}

/** Events of an RtmpIngestSession. */
export interface RtmpIngestSessionEvents {
  publish: [info: PublishInfo];
  tracks: [tracks: readonly TrackInfo[]];
  packet: [packet: MediaPacket];
  metadata: [metadata: Amf0Object];
  unpublish: [];
  close: [error: Error | undefined];
}

const DEFAULT_FOURCCS = ['avc1', 'hvc1', 'av01', 'vp09', 'mp4a', '.mp3', 'Opus'];
const WINDOW = 2_500_000;

/** One connected publisher. */
export class RtmpIngestSession extends EventEmitter<RtmpIngestSessionEvents> {
  readonly connection: RtmpConnection;
  /** Set once publishing. */
  publishInfo: PublishInfo | undefined;
  /** The connect command object. */
  connectObject: Amf0Object | undefined;
  /** Why the session closed, once closed. */
  closeError: Error | undefined;
  private tcUrl = '';
  private app = '';
  private host = '';
  private publishStreamId = 0;
  private nextStreamId = 1;
  private tracks: IngestTracks | undefined;
  private readonly maxCommandLength: number;
  private readonly chunkSize: number;
  private readonly fourCcList: readonly string[];
  private closed = false;
  /** A publish waiting for its claim's decision. */
  private pending: PublishInfo | undefined;

  constructor(
    socket: Socket,
    private readonly hooks: IngestSessionHooks,
    options: RtmpIngestSessionOptions = {},
  ) {
    super();
    this.maxCommandLength = options.maxCommandLength ?? 64 * 1024;
    this.chunkSize = options.chunkSize ?? DEFAULT_OUT_CHUNK_SIZE;
    this.fourCcList = options.fourCcList ?? DEFAULT_FOURCCS;
    this.connection = new RtmpConnection(
      socket,
      {
        onReady: () => undefined,
        onMessage: (m) => this.onMessage(m),
        onClose: (e) => this.onClose(e),
      },
      { role: 'server', reader: options.reader, idleTimeoutMs: options.idleTimeoutMs ?? 30_000 },
    );
  }

  /** 'simple' or 'digest': the handshake the client used. */
  get handshakeKind(): 'simple' | 'digest' | null {
    return this.connection.handshakeKind;
  }

  /** Closes the connection (with an error: at once). */
  close(error?: Error): void {
    this.connection.close(error);
  }

  private onMessage(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3: {
        const payload = message.typeId === MessageType.CommandAmf3 ? message.payload.subarray(1) : message.payload; // AMF3 command: format byte 0, then AMF0
        this.checkCommandLength(payload);
        this.onCommand(decodeCommand(payload), message.streamId);
        return;
      }
      case MessageType.DataAmf0:
      case MessageType.DataAmf3: {
        const payload = message.typeId === MessageType.DataAmf3 ? message.payload.subarray(1) : message.payload;
        this.checkCommandLength(payload);
        if (this.tracks !== undefined && message.streamId === this.publishStreamId)
          this.tracks.onMessage(MessageType.DataAmf0, message.timestamp, payload);
        return;
      }
      case MessageType.Video:
      case MessageType.Audio:
        if (this.tracks !== undefined && message.streamId === this.publishStreamId)
          this.tracks.onMessage(message.typeId, message.timestamp, message.payload);
        return;
      case MessageType.Aggregate: {
        const tracks = this.tracks;
        if (tracks === undefined || message.streamId !== this.publishStreamId) return;
        forEachAggregatePart(message.payload, message.timestamp, (type, timestamp, body) => {
          if (type === MessageType.Audio || type === MessageType.Video || type === MessageType.DataAmf0)
            tracks.onMessage(type, timestamp, body);
        });
        return;
      }
      default:
        return; // Set Peer Bandwidth, user control, shared objects: nothing to do for a publisher
    }
  }

  private checkCommandLength(payload: Uint8Array): void {
    if (payload.length > this.maxCommandLength)
      throw new RtmpProtocolError(
        `command/data message of ${payload.length} bytes exceeds the ${this.maxCommandLength}-byte limit`,
      );
  }

  private onCommand(cmd: RtmpCommand, streamId: number): void {
    switch (cmd.name) {
      case 'connect':
        return this.onConnect(cmd);
      case 'createStream': {
        const id = this.nextStreamId++;
        if (this.nextStreamId > 16) throw new RtmpProtocolError('too many createStream calls');
        this.connection.sendCommand(0, '_result', cmd.transactionId, null, id);
        return;
      }
      case 'publish':
        return this.onPublish(cmd, streamId);
      case 'FCUnpublish':
      case 'deleteStream':
      case 'closeStream':
        this.endPublish();
        if (cmd.name === 'FCUnpublish' && cmd.transactionId > 0)
          this.connection.sendCommand(0, '_result', cmd.transactionId, null);
        return;
      case 'play':
      case 'play2':
        this.connection.sendCommand(
          streamId,
          'onStatus',
          0,
          null,
          statusObject('error', StatusCode.PlayFailed, 'This server only accepts publishers.'),
        );
        this.connection.close();
        return;
      default:
        // releaseStream, FCPublish, getStreamLength, ...: acknowledge calls that expect an answer
        if (cmd.transactionId > 0) this.connection.sendCommand(0, '_result', cmd.transactionId, null);
    }
  }

  private onConnect(cmd: RtmpCommand): void {
    const props = amf0Properties(cmd.commandObject) ?? {};
    this.connectObject = props;
    const tcUrl = typeof props['tcUrl'] === 'string' ? props['tcUrl'] : '';
    const appField = typeof props['app'] === 'string' ? props['app'] : '';
    this.tcUrl = tcUrl;
    const parsed = splitTcUrl(tcUrl);
    this.host = parsed.host;
    this.app = parsed.app !== '' ? parsed.app : ((appField.split('/')[0] ?? '').split('?')[0] ?? '');
    const c = this.connection;
    c.send(ChunkStreamId.Control, windowAckSizeMessage(WINDOW));
    c.sentWindow = WINDOW;
    c.send(ChunkStreamId.Control, setPeerBandwidthMessage(WINDOW, 2));
    c.write(c.writer.setChunkSize(this.chunkSize));
    const enhanced = announcedFourCcs(props).size > 0;
    const properties: Record<string, Amf0Value> = {
      fmsVer: 'FMS/3,0,1,123',
      capabilities: 31,
      ...(enhanced ? enhancedConnectFields(this.fourCcList) : {}),
    };
    this.connection.sendCommand(
      0,
      '_result',
      cmd.transactionId,
      properties,
      statusObject('status', StatusCode.ConnectSuccess, 'Connection succeeded.', { objectEncoding: 0 }),
    );
  }

  private onPublish(cmd: RtmpCommand, streamId: number): void {
    const rawName = typeof cmd.args[0] === 'string' ? cmd.args[0] : '';
    const type = typeof cmd.args[1] === 'string' ? cmd.args[1] : 'live';
    const q = rawName.indexOf('?');
    const name = q >= 0 ? rawName.slice(0, q) : rawName;
    const query = q >= 0 ? rawName.slice(q + 1) : '';
    if (this.publishInfo !== undefined || this.pending !== undefined) {
      this.connection.sendCommand(
        streamId,
        'onStatus',
        0,
        null,
        statusObject('error', StatusCode.PublishBadName, 'This connection is already publishing.'),
      );
      return;
    }
    const info: PublishInfo = { app: this.app, name, query, tcUrl: this.tcUrl, host: this.host, type };
    if (name === '')
      return this.reject(streamId, { code: StatusCode.PublishBadName, description: 'Missing stream name.' });
    const decision = this.hooks.claim(this, info);
    if (!(decision instanceof Promise)) return this.decided(streamId, info, decision);
    this.pending = info;
    const settle = (d: PublishDecision): void => {
      if (this.pending === info) this.decided(streamId, info, d);
    };
    decision.then(settle, (e: unknown) =>
      settle({
        code: StatusCode.PublishBadName,
        description: `The publish could not be authorized: ${e instanceof Error ? e.message : String(e)}`,
      }),
    );
  }

  /** Starts the publish the claim accepted, or answers the rejection and closes. */
  private decided(streamId: number, info: PublishInfo, decision: PublishDecision): void {
    this.pending = undefined;
    if (decision !== null) {
      this.hooks.release(this, info);
      return this.reject(streamId, decision);
    }
    this.publishInfo = info;
    this.publishStreamId = streamId;
    this.tracks = new IngestTracks({
      tracks: (t) => this.emit('tracks', t),
      packet: (p) => this.emit('packet', p),
      metadata: (m) => this.emit('metadata', m),
    });
    this.connection.send(ChunkStreamId.Control, userControlMessage(UserControlEvent.StreamBegin, streamId));
    this.connection.sendCommand(
      streamId,
      'onStatus',
      0,
      null,
      statusObject('status', StatusCode.PublishStart, `${info.name} is now published.`, { details: info.name }),
    );
    this.emit('publish', info);
  }

  private reject(streamId: number, decision: { code: string; description: string }): void {
    this.connection.sendCommand(
      streamId,
      'onStatus',
      0,
      null,
      statusObject('error', decision.code, decision.description),
    );
    this.connection.close();
  }

  private endPublish(): void {
    const pending = this.pending;
    if (pending !== undefined) {
      // the client unpublished or left while the decision was pending: a late decision starts nothing
      this.pending = undefined;
      this.hooks.release(this, pending);
    }
    const info = this.publishInfo;
    if (info === undefined) return;
    this.tracks?.flush();
    this.publishInfo = undefined;
    this.tracks = undefined;
    this.hooks.release(this, info);
    this.emit('unpublish');
  }

  private onClose(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = error;
    try {
      this.endPublish();
    } finally {
      this.emit('close', error);
    }
  }
}

/** Host and first path segment of a tcUrl such as rtmp://host:1935/app/inst?x=y. */
export function splitTcUrl(tcUrl: string): { host: string; app: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)\/?([^/?#]*)/i.exec(tcUrl);
  if (m === null) return { host: '', app: '' };
  const authority = m[1] ?? '';
  const host = authority.startsWith('[')
    ? authority.slice(0, authority.indexOf(']') + 1)
    : (authority.split(':')[0] ?? '');
  return { host, app: decodeURIComponentSafe(m[2] ?? '') };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
