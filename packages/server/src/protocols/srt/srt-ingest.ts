/**
 * The `srt` ingest protocol: @sluice/srt's SrtListener publishing into the StreamHub. An
 * encoder calls srt://HOST:PORT with a stream ID naming the stream (`{vhost}/{app}/{stream}`,
 * `srt://host[:port]/{app}/{stream}` percent-encoded as OvenMediaEngine asks, or
 * `#!::r={app}/{stream},m=publish`); the handshake is answered once the admission decided
 * (srt-admission.ts: refusals are SRT_REJX_* reject codes). The MPEG-TS it sends is demuxed
 * (TsDemuxer: H.264, H.265, AAC, Opus, MP3 ...; 33-bit timestamps unwrapped, then the hub's
 * TimelineGuard) into the hub's tracks and packets. Garbage TS is counted and skipped; a peer
 * that goes silent is closed at the peer idle timeout and its stream ends (pushes see the
 * source gone); an admitted publish is ended at its deadline (lifetime, stream_expire).
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { TsDemuxer, type TsDemuxError } from '@sluice/mpegts';
import { SrtListener, rejectReasonName, type SrtConnection, type SrtConnectRequest } from '@sluice/srt';
import { atTime } from '../../access/deadline.js';
import type { IngestContext, IngestProtocol, IngestService } from '../ingest-protocol.js';
import { createSrtAdmission, type SrtClaim } from './srt-admission.js';

/** The `srt` ingest protocol: `<Bind><Providers><SRT><Port>` (and `<Options>`) of Server.xml. */
export const srtIngestProtocol: IngestProtocol = {
  name: 'srt',
  sourceType: 'srt',
  port: (config) => config.srt?.port,
  create: (context) => createSrtIngest(context),
};

/** Creates the SRT ingest of a server. */
function createSrtIngest(context: IngestContext): IngestService {
  const { log } = context;
  let listener: SrtListener | undefined;
  let closed = false;
  const admission = createSrtAdmission(context, () => listener?.address.port ?? 0);
  const open = new Set<SrtConnection>();

  const attach = (connection: SrtConnection, request: SrtConnectRequest): void => {
    const held = admission.claimOf(request);
    const remote = `${connection.remoteAddress}:${connection.remotePort}`;
    if (held?.target === undefined) {
      connection.close(); // accepted without an admission (cannot happen): nothing may publish
      return;
    }
    open.add(connection);
    const { target } = held;
    const fields = { vhost: target.vhost, app: target.app, stream: target.stream, remote };
    log.info('SRT publish', { ...fields, latencyMs: connection.latencyMs, encrypted: connection.encrypted });
    held.received.read = () => connection.stats().bytesReceived;
    const demuxer = demux(held, fields);
    const reason = target.deadlineReason ?? 'deadline reached';
    const cancelDeadline =
      target.deadline === undefined
        ? undefined
        : atTime(target.deadline, () => {
            log.info(`SRT publish ended: ${reason}`, fields);
            connection.close();
          });
    connection.on('message', (payload) => demuxer.push(payload));
    connection.once('close', (why, error) => {
      open.delete(connection);
      cancelDeadline?.();
      demuxer.end();
      admission.release(request); // ends the publication: the stream is gone for its pushes
      const s = connection.stats();
      log.info(`SRT publish ended (${why}${error ? `: ${error.message}` : ''})`, {
        ...fields,
        packetsReceived: s.packetsReceived,
        packetsLost: s.packetsLost,
        packetsDropped: s.packetsDropped,
        ...demuxer.problems(),
      });
    });
  };

  /** The TS demuxer of one publish, feeding its publication; never throws. */
  const demux = (held: SrtClaim, fields: Record<string, string>): SafeDemuxer => {
    const publication = (): SrtClaim['publication'] => held.publication;
    let reported = false;
    const demuxer = new TsDemuxer({
      onTracks: (tracks: readonly TrackInfo[]) => {
        if (tracks.length > 0) publication().setTracks(tracks);
      },
      onPacket: (packet: MediaPacket) => publication().write(packet),
      onError: (error: TsDemuxError) => {
        if (reported) return; // counted in the demuxer's stats; logged once per publish
        reported = true;
        log.warn(`SRT publish: bad MPEG-TS (${error.message}); further problems are counted`, fields);
      },
    });
    return {
      push: (payload) => {
        try {
          demuxer.push(payload);
        } catch (e) {
          log.warn(`SRT publish: the demuxer failed: ${(e as Error).message}`, fields);
        }
      },
      end: () => {
        try {
          demuxer.end();
        } catch {
          // the publish is over; what was left is dropped
        }
      },
      problems: () => {
        const s = demuxer.stats;
        return {
          tsPackets: s.packets,
          syncLosses: s.syncLosses,
          continuityErrors: s.continuityErrors,
          pesErrors: s.pesErrors,
          esErrors: s.esErrors,
        };
      },
    };
  };

  return {
    listen: async (host, port) => {
      const srt = context.config?.srt;
      listener = await SrtListener.listen({
        port,
        host: host ?? '0.0.0.0',
        passphrase: srt?.passphrase,
        pbkeylen: srt?.pbkeylen,
        latencyMs: srt?.latencyMs,
        peerIdleTimeoutMs: srt?.peerIdleTimeoutMs,
        onConnectRequest: (request) => admission.decide(request),
      });
      listener.on('connection', attach);
      listener.on('rejected', (request, code, detail) => {
        admission.release(request);
        if (admission.refused(request)) return; // refused by the admission: logged and reported there
        log.warn(`SRT caller rejected: ${detail} (${rejectReasonName(code)}, ${code})`, {
          streamId: request.streamId,
          remote: `${request.remoteAddress}:${request.remotePort}`,
          encrypted: request.encrypted,
        });
      });
      listener.on('error', (e) => log.error(`SRT ingest: ${e.message}`));
      if (closed) await listener.close();
      return listener.address.port;
    },
    close: async () => {
      closed = true;
      for (const connection of [...open]) connection.close();
      await listener?.close();
    },
  };
}

interface SafeDemuxer {
  push(payload: Uint8Array): void;
  end(): void;
  problems(): Record<string, number>;
}
