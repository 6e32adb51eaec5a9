/**
 * Who may publish over RTMP: the ingest's own checks (virtual host by tcUrl host, the
 * application exists and has RTMP, the name is free), then the server's PublishAdmission
 * (SignedPolicy, AdmissionWebhooks) on the URL the encoder was given. Refusals are logged,
 * reported (counted, `publishRefused`) and answered NetStream.Publish.Rejected (unknown
 * target), .BadName (name empty or taken) or .Unauthorized (access control) with the reason.
 * A publish moved by the control server's new_url is checked again at its new place.
 */
import { StatusCode, type PublishDecision, type PublishInfo, type RtmpIngestSession } from '@sluice/rtmp';
import { PublishAdmission, type AdmittedPublish } from '../../access/publish-admission.js';
import type { RefusalCause } from '../../access/refusal.js';
import type { IngestContext } from '../ingest-protocol.js';
import { rtmpPublishUrl } from './rtmp-publish-url.js';

const REJECTED = 'NetStream.Publish.Rejected';

/** The RTMP ingest's admission: `authorize` for the RtmpServer, and where each admitted session publishes. */
export interface RtmpAdmission {
  authorize: (info: PublishInfo, session: RtmpIngestSession) => PublishDecision | Promise<PublishDecision>;
  /** The admitted target of a session (undefined before admission). */
  admitted: (session: RtmpIngestSession) => AdmittedPublish | undefined;
}

/** Creates the admission of the RTMP ingest of a server. */
export function createRtmpAdmission({ isPublished, vhosts, log, admission: given }: IngestContext): RtmpAdmission {
  const admission = given ?? new PublishAdmission(vhosts, { log });
  const admitted = new WeakMap<RtmpIngestSession, AdmittedPublish>();

  /** The refusal of a target that is unknown, not RTMP or taken; undefined when it may publish. */
  const check = (vhost: string, appName: string, name: string): { cause: RefusalCause; reason: string } | undefined => {
    const app = vhosts.application(vhost, appName);
    if (app === undefined)
      return { cause: 'not-found', reason: `Could not find the application: [${vhost}/${appName}]` };
    if (!app.rtmp)
      return { cause: 'not-found', reason: `RTMP is not enabled for the application: [${vhost}/${appName}]` };
    if (name === '') return { cause: 'bad-name', reason: 'The stream name is empty' };
    if (isPublished({ vhost, app: appName, name }))
      return { cause: 'bad-name', reason: `Stream ${vhost}/${appName}/${name} is already being published.` };
    return undefined;
  };

  const refuse = (
    session: RtmpIngestSession,
    info: PublishInfo,
    vhost: string,
    refusal: { cause: RefusalCause; reason: string },
  ): PublishDecision => {
    const socket = session.connection.socket;
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    log.warn(`RTMP publish refused: ${refusal.reason}`, {
      vhost,
      app: info.app,
      stream: info.name,
      host: info.host,
      remote,
      cause: refusal.cause,
    });
    admission.report({
      type: 'publishRefused',
      vhost,
      app: info.app,
      stream: info.name,
      protocol: 'rtmp',
      reason: refusal.reason,
      cause: refusal.cause,
      remote,
    });
    const code =
      refusal.cause === 'not-found'
        ? REJECTED
        : refusal.cause === 'bad-name'
          ? StatusCode.PublishBadName
          : StatusCode.PublishUnauthorized;
    return { code, description: refusal.reason };
  };

  const authorize = (info: PublishInfo, session: RtmpIngestSession): PublishDecision | Promise<PublishDecision> => {
    const vhost = vhosts.forHost(info.host);
    if (vhost === undefined)
      return refuse(session, info, '', { cause: 'not-found', reason: `No virtual host serves [${info.host}]` });
    const first = check(vhost.name, info.app, info.name);
    if (first !== undefined) return refuse(session, info, vhost.name, first);
    const socket = session.connection.socket;
    return admission
      .admit({
        vhost: vhost.name,
        app: info.app,
        stream: info.name,
        query: info.query,
        protocol: 'rtmp',
        remoteAddress: socket.remoteAddress ?? '',
        remotePort: socket.remotePort ?? 0,
        url: rtmpPublishUrl(info, socket),
      })
      .then((decision) => {
        if (decision.outcome === 'refused') return refuse(session, info, vhost.name, decision);
        if (decision.outcome === 'rewritten') {
          const moved = check(decision.vhost, decision.app, decision.stream);
          if (moved !== undefined) {
            decision.ended(); // the control server admitted it: tell it the publish is over
            return refuse(session, info, vhost.name, moved);
          }
          log.info('RTMP publish moved by the admission webhook', {
            from: `${vhost.name}/${info.app}/${info.name}`,
            to: `${decision.vhost}/${decision.app}/${decision.stream}`,
          });
        }
        admitted.set(session, decision);
        return null;
      });
  };
  return { authorize, admitted: (session) => admitted.get(session) };
}
