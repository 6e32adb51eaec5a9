/**
 * The SRT caller: HSv5 induction and conclusion against a listener (draft-sharabayko-srt 4.3.1),
 * then an SrtConnection on the same UDP socket.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { SrtCipher } from './cipher.js';
import { nowUs } from './clock.js';
import { SrtConnection } from './connection.js';
import { decodeControl } from './control.js';
import { SrtConnectionError } from './errors.js';
import {
  HANDSHAKE_REJECT_BASE,
  HandshakeType,
  HsExtFlag,
  peerIpBytes,
  SRT_MAGIC,
  UDT_DGRAM,
  type Handshake,
} from './handshake.js';
import { handshakePacket, hsExtension, peerFlagsProblem, random31 } from './handshake-common.js';
import { KmState } from './km.js';
import { resolveOptions, type SrtOptions } from './options.js';
import { isControlPacket, MAX_PACKET_SIZE } from './packet.js';
import { rejectReasonName, SrtRejectReason } from './reject.js';

/** Where and how to connect. */
export interface SrtCallerOptions extends SrtOptions {
  host: string;
  port: number;
  /** Stream ID sent to the listener (SID extension, at most 512 bytes). */
  streamId?: string;
  /** Give up connecting after this long (ms). Default 3000 as libsrt. */
  connectTimeoutMs?: number;
  /** Aborts connecting. */
  signal?: AbortSignal;
  /**
   * Resolves `host` (HostResolver of @sluice/media: a push target's `resolveHost`, which
   * applies the server's destination policy); packets go to its first address only, and
   * its rejection is connect()'s. Default: the system's lookup.
   */
  resolveHost?: (host: string) => Promise<ReadonlyArray<{ readonly address: string; readonly family: 4 | 6 }>>;
  /** The first packet sequence number (31 bits). Default: random, as libsrt. Near 2^31 it tests the wrap. */
  initialSequence?: number;
  /**
   * Where the connection's 32-bit microsecond timestamps start (default 0, as libsrt). Near
   * 2^32 it tests their wrap, which a real connection reaches after 71.6 minutes.
   */
  timestampOriginUs?: number;
}

const RESEND_MS = 250;

/** Connects to SRT listeners. */
export class SrtCaller {
  /** Connects to the listener at host:port; resolves once the handshake is done. */
  static async connect(options: SrtCallerOptions): Promise<SrtConnection> {
    const opts = resolveOptions(options);
    const streamId = options.streamId ?? '';
    if (Buffer.byteLength(streamId) > 512) {
      throw new SrtConnectionError('url', `stream ID of ${Buffer.byteLength(streamId)} bytes (512 at most)`);
    }
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new SrtConnectionError('url', `port ${options.port} out of range`);
    }
    const origin = options.timestampOriginUs ?? 0;
    if (!Number.isInteger(origin) || origin < 0 || origin >= 2 ** 32) {
      throw new RangeError(`timestampOriginUs must be an integer from 0 to 2^32 - 1, got ${origin}`);
    }
    const initialSeq = options.initialSequence ?? random31();
    if (!Number.isInteger(initialSeq) || initialSeq < 0 || initialSeq > 0x7fffffff) {
      throw new RangeError(`initialSequence must be an integer from 0 to 2^31 - 1, got ${initialSeq}`);
    }
    const { address, family } =
      options.resolveHost === undefined
        ? await lookup(options.host)
        : ((await options.resolveHost(options.host))[0] as { address: string; family: number });
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    const startUs = nowUs() - origin;
    const socketId = random31();
    const timeoutMs = options.connectTimeoutMs ?? 3000;
    const port = options.port;
    const send = (buf: Buffer, length: number): void => {
      socket.send(buf, 0, length, port, address);
    };
    let cipher: SrtCipher | undefined;
    let keyLength: number = opts.pbkeylen;
    return new Promise<SrtConnection>((resolve, reject) => {
      let cookie = 0;
      let phase: 'induction' | 'conclusion' = 'induction';
      let conclusion: Buffer | undefined;
      let done = false;
      const fail = (err: SrtConnectionError): void => {
        if (done) return;
        done = true;
        cleanup();
        socket.close();
        reject(err);
      };
      const onAbort = (): void => fail(new SrtConnectionError('closed', 'connect aborted'));
      const cleanup = (): void => {
        clearInterval(resend);
        clearTimeout(timeout);
        options.signal?.removeEventListener('abort', onAbort);
        socket.removeListener('message', onHandshake);
      };
      const induction = (): Buffer =>
        handshakePacket(
          {
            version: 4,
            encryptionField: 0,
            extensionField: UDT_DGRAM,
            initialSeq,
            mtu: MAX_PACKET_SIZE,
            flowWindow: opts.flowWindow,
            type: HandshakeType.Induction,
            socketId,
            cookie: 0,
            peerIp: peerIpBytes(address),
          },
          nowUs() - startUs,
          0,
        );
      const makeConclusion = (): Buffer => {
        if (opts.passphrase !== undefined && !cipher) cipher = SrtCipher.generate(opts.passphrase, keyLength);
        const hs: Handshake = {
          version: 5,
          encryptionField: cipher ? keyLength / 8 : 0,
          extensionField: HsExtFlag.HsReq | (cipher ? HsExtFlag.KmReq : 0) | (streamId ? HsExtFlag.Config : 0),
          initialSeq,
          mtu: MAX_PACKET_SIZE,
          flowWindow: opts.flowWindow,
          type: HandshakeType.Conclusion,
          socketId,
          cookie,
          peerIp: peerIpBytes(address),
          hsReq: hsExtension(opts.latencyMs, opts.latencyMs),
        };
        if (cipher) hs.kmReq = cipher.kmMessage(1);
        if (streamId) hs.streamId = streamId;
        return handshakePacket(hs, nowUs() - startUs, 0);
      };
      const sendCurrent = (): void => {
        const buf = phase === 'induction' ? induction() : (conclusion ?? induction());
        send(buf, buf.length);
      };
      const onHandshake = (msg: Buffer, rinfo: RemoteInfo): void => {
        if (rinfo.address !== address || rinfo.port !== port || msg.length < 16 || !isControlPacket(msg)) return;
        let hs: Handshake;
        try {
          const c = decodeControl(msg);
          if (c.kind !== 'handshake' || c.destSocketId !== socketId) return;
          hs = c.handshake;
        } catch (e) {
          fail(new SrtConnectionError('protocol', `bad handshake from the listener: ${(e as Error).message}`));
          return;
        }
        if (hs.type >= HANDSHAKE_REJECT_BASE) {
          const reason = hs.type - HANDSHAKE_REJECT_BASE;
          const crypto = reason === SrtRejectReason.BadSecret || reason === SrtRejectReason.Unsecure;
          fail(
            new SrtConnectionError(
              crypto ? 'crypto' : 'rejected',
              `the listener rejected the connection: ${rejectReasonName(reason)} (${reason})`,
              reason,
            ),
          );
          return;
        }
        if (phase === 'induction' && hs.type === HandshakeType.Induction) {
          if (hs.version !== 5 || hs.extensionField !== SRT_MAGIC) {
            fail(
              new SrtConnectionError('protocol', `the listener speaks handshake version ${hs.version} (HSv5 needed)`),
            );
            return;
          }
          if (options.pbkeylen === undefined && [2, 3, 4].includes(hs.encryptionField))
            keyLength = hs.encryptionField * 8;
          cookie = hs.cookie;
          phase = 'conclusion';
          conclusion = makeConclusion();
          sendCurrent();
          return;
        }
        if (phase !== 'conclusion' || hs.type !== HandshakeType.Conclusion) return;
        if (!hs.hsRsp) {
          fail(new SrtConnectionError('protocol', 'the listener answered without HSRSP (not SRT 1.3+ HSv5)'));
          return;
        }
        const problem = peerFlagsProblem(hs.hsRsp);
        if (problem) {
          fail(new SrtConnectionError('protocol', problem));
          return;
        }
        if (cipher) {
          const km = hs.kmRsp;
          if (!km || km.length === 4) {
            const state = km ? Buffer.from(km).readUInt32BE(0) : KmState.NoSecret;
            const what = state === KmState.BadSecret ? 'wrong passphrase' : 'the listener has no passphrase';
            fail(
              new SrtConnectionError(
                'crypto',
                `encryption refused: ${what} (KM state ${state})`,
                SrtRejectReason.BadSecret,
              ),
            );
            return;
          }
        }
        done = true;
        cleanup();
        const conn = new SrtConnection({
          role: 'caller',
          socketId,
          peerSocketId: hs.socketId,
          initialSeq,
          startUs,
          latencyMs: Math.max(opts.latencyMs, hs.hsRsp.senderDelayMs),
          peerLatencyMs: Math.max(opts.latencyMs, hs.hsRsp.receiverDelayMs),
          streamId,
          remoteAddress: address,
          remotePort: port,
          payloadSize: opts.payloadSize,
          flowWindow: Math.min(opts.flowWindow, Math.max(hs.flowWindow, 32)),
          maxBandwidth: opts.maxBandwidth,
          overheadPercent: opts.overheadPercent,
          peerIdleTimeoutMs: opts.peerIdleTimeoutMs,
          txCipher: cipher,
          rxCipher: cipher?.clone(),
          kmRefreshRate: opts.kmRefreshRate,
          kmPreAnnounce: opts.kmPreAnnounce,
          output: send,
        });
        attachSocket(socket, conn, address, port);
        resolve(conn);
      };
      socket.on('message', onHandshake);
      socket.on('error', () => undefined); // ICMP port unreachable and the like: keep trying until the timeout
      const resend = setInterval(sendCurrent, RESEND_MS);
      const timeout = setTimeout(
        () =>
          fail(
            new SrtConnectionError(
              'timeout',
              `no ${phase === 'induction' ? 'answer' : 'conclusion'} from ${options.host}:${port} within ${timeoutMs} ms`,
              SrtRejectReason.Timeout,
            ),
          ),
        timeoutMs,
      );
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort);
      socket.bind(0, () => sendCurrent());
    });
  }
}

function attachSocket(socket: Socket, conn: SrtConnection, address: string, port: number): void {
  const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (rinfo.port !== port || rinfo.address !== address || msg.length > MAX_PACKET_SIZE) return;
    if (msg.length >= 16 && msg.readUInt32BE(12) !== conn.socketId) return;
    conn.handlePacket(msg);
  };
  socket.on('message', onMessage);
  conn.once('close', () => {
    socket.removeListener('message', onMessage);
    // let the SHUTDOWN leave before the socket closes
    setImmediate(() => socket.close());
  });
}
