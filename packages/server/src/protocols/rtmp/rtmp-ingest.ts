/**
 * The `rtmp` ingest protocol: @sluice/rtmp's RtmpServer publishing into the StreamHub. An encoder
 * publishes to rtmp://HOST:PORT/{app}/{stream}; the vhost is the one whose
 * `<Host><Names>` match the tcUrl host; unknown vhosts/apps, apps without RTMP and
 * names already claimed in the hub are refused with NetStream.Publish.* statuses, and the
 * server's PublishAdmission (SignedPolicy, AdmissionWebhooks) decides on the rest (see
 * rtmp-admission.ts): the publish is held until it answers, media sent meanwhile is
 * dropped. An admitted publish goes where the admission says (new_url) and is ended
 * at its deadline (lifetime, stream_expire).
 */
import { RtmpServer, type RtmpIngestSession } from '@sluice/rtmp';
import { atTime } from '../../access/deadline.js';
import type { IngestContext, IngestProtocol, IngestService } from '../ingest-protocol.js';
import { createRtmpAdmission } from './rtmp-admission.js';

/** The `rtmp` ingest protocol: `<Bind><Providers><RTMP><Port>` of Server.xml. */
export const rtmpIngestProtocol: IngestProtocol = {
  name: 'rtmp',
  sourceType: 'rtmp',
  port: (config) => config.rtmpPort,
  create: (context) => createRtmpIngest(context),
};

/** Creates the RTMP ingest of a server. */
function createRtmpIngest(context: IngestContext): IngestService {
  const { log } = context;
  const access = createRtmpAdmission(context);
  const server = new RtmpServer({ authorize: access.authorize, release: access.release });
  server.on('error', (e) => log.error(`RTMP ingest: ${e.message}`));
  server.on('session', (session) => {
    const socket = session.connection.socket;
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    log.info('RTMP connection', { remote });
    session.on('close', (error) =>
      log.info(`RTMP connection closed${error ? `: ${error.message}` : ''}`, { remote, ...where(session) }),
    );
  });
  server.on('publish', (session) => attach(session));

  function where(session: RtmpIngestSession): { vhost?: string; app?: string; stream?: string } {
    const target = access.admitted(session)?.target;
    if (target === undefined) return {};
    return { vhost: target.vhost, app: target.app, stream: target.stream };
  }

  function attach(session: RtmpIngestSession): void {
    const admitted = access.admitted(session);
    if (admitted === undefined) return session.close(new Error('publish started without an admission'));
    const { target, publication } = admitted;
    const fields = { vhost: target.vhost, app: target.app, stream: target.stream };
    log.info('RTMP publish', { ...fields, type: session.publishInfo?.type });
    const reason = target.deadlineReason ?? 'deadline reached';
    const cancelDeadline =
      target.deadline === undefined
        ? undefined
        : atTime(target.deadline, () => {
            log.info(`RTMP publish ended: ${reason}`, fields);
            session.close(new Error(reason));
          });
    // the publication ends in the RtmpServer's release (rtmp-admission.ts)
    session.on('tracks', (tracks) => publication.setTracks(tracks));
    session.on('packet', (packet) => publication.write(packet));
    if (cancelDeadline !== undefined) {
      session.on('unpublish', cancelDeadline);
      session.on('close', cancelDeadline);
    }
  }

  return {
    listen: (host, port) => server.listen(port, host ?? '0.0.0.0'),
    close: () => server.close(),
    accept: (socket) => {
      server.accept(socket);
    },
  };
}
