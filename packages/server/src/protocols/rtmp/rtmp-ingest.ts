/**
 * The `rtmp` ingest protocol: @sluice/rtmp's RtmpServer publishing into the StreamHub. An encoder
 * publishes to rtmp://HOST:PORT/{app}/{stream}; the vhost is the one whose
 * `<Host><Names>` match the tcUrl host; unknown vhosts/apps, apps without RTMP and
 * names already live are refused with NetStream.Publish.* statuses.
 */
import { RtmpServer, type PublishDecision, type PublishInfo, type RtmpIngestSession } from '@sluice/rtmp';
import type { StreamPublication } from '../../hub/stream-hub.js';
import type { IngestContext, IngestProtocol, IngestService } from '../ingest-protocol.js';

const REJECTED = 'NetStream.Publish.Rejected';
const BAD_NAME = 'NetStream.Publish.BadName';

/** The `rtmp` ingest protocol: `<Bind><Providers><RTMP><Port>` of Server.xml. */
export const rtmpIngestProtocol: IngestProtocol = {
  name: 'rtmp',
  sourceType: 'rtmp',
  port: (config) => config.rtmpPort,
  create: (context) => createRtmpIngest(context),
};

/** Creates the RTMP ingest of a server. */
function createRtmpIngest({ publish, isPublished, vhosts, log }: IngestContext): IngestService {
  const decide = (info: PublishInfo): PublishDecision => {
    const vhost = vhosts.forHost(info.host);
    if (vhost === undefined) return { code: REJECTED, description: `No virtual host serves [${info.host}]` };
    const app = vhosts.application(vhost.name, info.app);
    if (app === undefined)
      return { code: REJECTED, description: `Could not find the application: [${vhost.name}/${info.app}]` };
    if (!app.rtmp)
      return { code: REJECTED, description: `RTMP is not enabled for the application: [${vhost.name}/${info.app}]` };
    if (info.name === '') return { code: BAD_NAME, description: 'The stream name is empty' };
    if (isPublished({ vhost: vhost.name, app: app.name, name: info.name })) {
      return {
        code: BAD_NAME,
        description: `Stream ${vhost.name}/${app.name}/${info.name} is already being published.`,
      };
    }
    return null;
  };
  const server = new RtmpServer({
    authorize: (info) => {
      const decision = decide(info);
      if (decision !== null)
        log.warn(`RTMP publish refused: ${decision.description}`, {
          app: info.app,
          stream: info.name,
          host: info.host,
        });
      return decision;
    },
  });
  server.on('error', (e) => log.error(`RTMP ingest: ${e.message}`));
  server.on('session', (session) => {
    const socket = session.connection.socket;
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    log.info('RTMP connection', { remote });
    session.on('close', (error) =>
      log.info(`RTMP connection closed${error ? `: ${error.message}` : ''}`, { remote, ...where(session) }),
    );
  });
  server.on('publish', (session, info) => attach(session, info));

  function where(session: RtmpIngestSession): { vhost?: string; app?: string; stream?: string } {
    const info = session.publishInfo;
    if (info === undefined) return {};
    return { vhost: vhosts.forHost(info.host)?.name, app: info.app, stream: info.name };
  }

  function attach(session: RtmpIngestSession, info: PublishInfo): void {
    const vhost = vhosts.forHost(info.host);
    if (vhost === undefined) return session.close(new Error(`no virtual host serves [${info.host}]`));
    let publication: StreamPublication;
    try {
      const socket = session.connection.socket;
      publication = publish(
        { vhost: vhost.name, app: info.app, name: info.name },
        { remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, bytesReceived: () => socket.bytesRead },
      );
    } catch (e) {
      session.close(e as Error);
      return;
    }
    log.info('RTMP publish', { vhost: vhost.name, app: info.app, stream: info.name, type: info.type });
    session.on('tracks', (tracks) => publication.setTracks(tracks));
    session.on('packet', (packet) => publication.write(packet));
    session.on('unpublish', () => publication.end());
    session.on('close', () => publication.end());
  }

  return {
    listen: (host, port) => server.listen(port, host ?? '0.0.0.0'),
    close: () => server.close(),
    accept: (socket) => {
      server.accept(socket);
    },
  };
}
