/**
 * A real sink for interop tests: FLV over a plain TCP connection (`tcp://host:port`),
 * built from @sluice/media's FLV muxer, so a real peer (ffmpeg listening on TCP) judges
 * what a push session sends: keyframe first, codec configuration, timestamps from 0.
 */
import { connect, type Socket } from 'node:net';
import { FlvTagMuxer, FlvWriter, SinkListeners, type MediaPacket, type TrackInfo } from '@sluice/media';
import type { PushSink, PushSinkFactory, PushTarget } from '../types.js';

/** FLV over TCP. */
export class FlvTcpSink extends SinkListeners implements PushSink {
  private socket: Socket | undefined;
  private muxer: FlvTagMuxer | undefined;
  private writer: FlvWriter | undefined;
  private writable = true;
  private closing = false;
  private failed = false;

  constructor(private readonly target: PushTarget) {
    super();
  }

  open(tracks: readonly TrackInfo[]): Promise<void> {
    const url = new URL(this.target.url);
    return new Promise<void>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        this.socket = socket;
        socket.on('error', (e) => this.fail(e));
        socket.on('close', () => this.fail(new Error('connection closed by the peer')));
        socket.on('drain', () => {
          this.writable = true;
          this.drainListeners.emit();
        });
        const muxer = new FlvTagMuxer(tracks);
        const writer = new FlvWriter((chunk) => {
          if (!socket.write(chunk)) this.writable = false;
        });
        this.muxer = muxer;
        this.writer = writer;
        writer.writeHeader(muxer.flags);
        const meta = muxer.metadataTag(0);
        writer.writeTag(meta.type, 0, meta.header);
        for (const tag of muxer.sequenceHeaderTags(0)) writer.writeTag(tag.type, 0, [tag.header, tag.data]);
        resolve();
      });
    });
  }

  send(packet: MediaPacket): boolean {
    const tag = this.muxer?.packetTag(packet);
    if (tag === undefined || this.writer === undefined) return this.writable;
    this.writer.writeTag(tag.type, tag.timestamp, [tag.header, tag.data]);
    return this.writable;
  }

  get bytesSent(): number {
    return this.socket === undefined ? 0 : this.socket.bytesWritten - this.socket.writableLength;
  }

  get bufferedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  close(): Promise<void> {
    this.closing = true;
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
    });
  }

  private fail(error: Error): void {
    if (this.closing || this.failed) return;
    this.failed = true;
    this.errorListeners.emit(error);
  }
}

/** Factory for FlvTcpSink: urls `tcp://host:port`; FLV carries h264/h265/aac/mp3/opus, one video and one audio track. */
export const flvTcpSinks: PushSinkFactory = {
  cannotCarry: (track) =>
    ['h264', 'h265', 'aac', 'mp3', 'opus'].includes(track.codec) ? null : `FLV does not carry ${track.codec}`,
  checkUrl: (url) => (/^tcp:\/\/[^/:]+:\d+$/.test(url) ? null : 'expected tcp://host:port'),
  maxTracksPerKind: { video: 1, audio: 1, data: 0 },
  create: (target) => new FlvTcpSink(target),
};
