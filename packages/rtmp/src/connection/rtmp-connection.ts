/**
 * RtmpConnection: one RTMP connection over a socket (TCP or TLS), for either role.
 * Runs the handshake, turns bytes into messages with a ChunkStreamReader, answers the
 * protocol-level messages itself (Window Acknowledgement Size -> Acknowledgements,
 * PingRequest -> PingResponse) and hands everything else to its owner. Nothing thrown
 * while handling received bytes escapes: the connection closes with the error instead.
 */
import type { Socket } from 'node:net';
import { KernelByteCounter, type Amf0Value } from '@sluice/media';
import { ChunkStreamReader } from '../chunk/chunk-stream-reader.js';
import type { ChunkStreamReaderOptions } from '../chunk/chunk-stream-reader.js';
import { ChunkStreamWriter } from '../chunk/chunk-stream-writer.js';
import {
  acknowledgementMessage,
  parseUserControl,
  readControlValue,
  UserControlEvent,
  userControlMessage,
  windowAckSizeMessage,
} from '../chunk/protocol-control.js';
import { encodeCommand } from '../command/command-message.js';
import { ClientHandshake } from '../handshake/client-handshake.js';
import { ServerHandshake } from '../handshake/server-handshake.js';
import type { HandshakeStep } from '../handshake/server-handshake.js';
import { ChunkStreamId, MessageType } from '../message.js';
import type { RtmpMessage } from '../message.js';
import { RtmpProtocolError } from '../errors.js';

/** What the owner of a connection receives. */
export interface RtmpConnectionHandlers {
  /** The handshake is complete; messages may be sent. */
  onReady(): void;
  /** A message other than the protocol-level ones handled here (Set Chunk Size, Abort, Ack, Window Ack Size, Ping). */
  onMessage(message: RtmpMessage, chunkStreamId: number): void;
  /** The connection is closed; `error` says why when it was not a clean end. Called once. */
  onClose(error: Error | undefined): void;
  /** The peer acknowledged reading `total` bytes so far (unwrapped past 2^32). */
  onAcknowledgement?(total: number): void;
}

/** Options of an RtmpConnection. */
export interface RtmpConnectionOptions {
  role: 'client' | 'server';
  /** Client role: 'simple' (default) or 'digest' (Flash-style) handshake. */
  handshake?: 'simple' | 'digest';
  /** Close the connection when nothing arrives for this long, ms (0 = never; default 0). */
  idleTimeoutMs?: number;
  reader?: ChunkStreamReaderOptions;
}

/** One RTMP connection. */
export class RtmpConnection {
  readonly writer = new ChunkStreamWriter();
  private readonly sent = new KernelByteCounter();
  readonly reader: ChunkStreamReader;
  /** 'simple' or 'digest' once a server-side handshake has read C1. */
  handshakeKind: 'simple' | 'digest' | null = null;
  /** Peer's Window Acknowledgement Size (0 = none announced). */
  private ackWindow = 0;
  private lastAck = 0;
  /** Last Window Acknowledgement Size we sent (answering Set Peer Bandwidth, or announceWindow). */
  sentWindow = 0;
  /** Bytes the peer acknowledged reading (its Acknowledgement sequence numbers, unwrapped past 2^32). */
  peerAcknowledged = 0;
  private readonly handshake: ClientHandshake | ServerHandshake;
  private readonly role: 'client' | 'server';
  private ready = false;
  private closed = false;

  constructor(
    readonly socket: Socket,
    private readonly handlers: RtmpConnectionHandlers,
    options: RtmpConnectionOptions,
  ) {
    this.role = options.role;
    this.reader = new ChunkStreamReader((m, csid) => this.dispatch(m, csid), options.reader);
    this.handshake = options.role === 'client' ? new ClientHandshake(options.handshake) : new ServerHandshake();
    if (options.idleTimeoutMs !== undefined && options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () =>
        this.close(new RtmpProtocolError(`nothing received for ${options.idleTimeoutMs} ms`)),
      );
    }
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', (e: Error) => this.close(e));
    socket.on('close', () => this.close(undefined));
    socket.on('end', () => this.close(undefined));
    if (this.handshake instanceof ClientHandshake) this.write(this.handshake.start());
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes the kernel accepted so far (handed to the socket minus still in its buffer; KernelByteCounter). */
  get bytesSent(): number {
    return this.sent.read(this.socket);
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Asks the peer to acknowledge every `size` bytes it reads (Window Acknowledgement Size, RTMP 5.4.4). */
  announceWindow(size: number): void {
    this.sentWindow = size;
    this.send(ChunkStreamId.Control, windowAckSizeMessage(size));
  }

  /** Encodes and writes a message; returns false when the socket's buffer is full. */
  send(chunkStreamId: number, message: RtmpMessage): boolean {
    return this.write(this.writer.encode(chunkStreamId, message));
  }

  /**
   * Sends an AMF0 command message (name, transaction id, command object, then args) on message
   * stream `streamId`: over the command chunk stream for stream 0 (NetConnection), the data
   * one for a NetStream. Returns false when the socket's buffer is full.
   */
  sendCommand(
    streamId: number,
    name: string,
    transactionId: number,
    commandObject: Amf0Value,
    ...args: Amf0Value[]
  ): boolean {
    return this.send(streamId === 0 ? ChunkStreamId.Command : ChunkStreamId.Data, {
      typeId: MessageType.CommandAmf0,
      timestamp: 0,
      streamId,
      payload: encodeCommand(name, transactionId, commandObject, ...args),
    });
  }

  /** Writes already-chunked bytes; returns false when the socket's buffer is full (or closed). */
  write(bytes: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return false;
    this.sent.wrote(bytes.length);
    return this.socket.write(bytes);
  }

  /** Closes the connection: gracefully (end) without an error, at once (destroy) with one. Idempotent. */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.stop();
    if (error === undefined && !this.socket.destroyed) {
      this.socket.end();
      // do not wait forever for the peer's FIN
      setTimeout(() => this.socket.destroy(), 2000).unref();
    } else this.socket.destroy();
    this.handlers.onClose(error);
  }

  private receive(data: Uint8Array): void {
    if (this.closed) return;
    try {
      if (!this.ready) {
        const step: HandshakeStep = this.handshake.push(data);
        if (this.handshake instanceof ServerHandshake) this.handshakeKind = this.handshake.kind;
        if (step.send !== null) this.write(step.send);
        if (!step.done) return;
        this.ready = true;
        this.handlers.onReady();
        if (step.rest === null || this.closed) return;
        data = step.rest;
      }
      this.reader.push(data);
      if (this.ackWindow > 0 && this.reader.bytesReceived - this.lastAck >= this.ackWindow) this.sendAcknowledgement();
    } catch (e) {
      this.close(e instanceof Error ? e : new RtmpProtocolError(String(e)));
    }
  }

  private sendAcknowledgement(): void {
    this.lastAck = this.reader.bytesReceived;
    this.send(ChunkStreamId.Control, acknowledgementMessage(this.reader.bytesReceived));
  }

  private dispatch(message: RtmpMessage, chunkStreamId: number): void {
    switch (message.typeId) {
      case MessageType.WindowAckSize:
        this.ackWindow = readControlValue(message);
        // A client acknowledges at once what it has read: servers such as nginx-rtmp send the
        // window alone, then hold their next replies (Set Peer Bandwidth, the connect _result)
        // under Nagle until that segment is ACKed, and with nothing to send our delayed ACK
        // cost ~40 ms per connect. These 16 bytes carry the ACK at once.
        if (this.role === 'client') this.sendAcknowledgement();
        return;
      case MessageType.Acknowledgement: {
        // sequence number = bytes received so far, mod 2^32 (RTMP 5.4.3)
        const sequence = readControlValue(message);
        this.peerAcknowledged += (sequence - (this.peerAcknowledged % 0x1_0000_0000) + 0x1_0000_0000) % 0x1_0000_0000;
        this.handlers.onAcknowledgement?.(this.peerAcknowledged);
        return;
      }
      case MessageType.SetPeerBandwidth: {
        // answer with a Window Acknowledgement Size when the window differs from the last we sent
        const size = readControlValue(message);
        if (size !== this.sentWindow) {
          this.sentWindow = size;
          this.send(ChunkStreamId.Control, windowAckSizeMessage(size));
        }
        return;
      }
      case MessageType.UserControl: {
        const event = parseUserControl(message);
        if (event.event === UserControlEvent.PingRequest)
          this.send(ChunkStreamId.Control, userControlMessage(UserControlEvent.PingResponse, event.value));
        else this.handlers.onMessage(message, chunkStreamId);
        return;
      }
      default:
        this.handlers.onMessage(message, chunkStreamId);
    }
  }
}
