/**
 * Who may publish over RTMP: the ingest's own checks (virtual host by tcUrl host, the
 * application exists and has RTMP), the name claimed in the stream hub (the one check that a
 * name has one publisher, whatever the protocol), then the server's PublishAdmission
 * (SignedPolicy, AdmissionWebhooks) on the URL the encoder was given. The claim holds the name
 * while the admission decides and is the publication once admitted; the RtmpServer's
 * `release` ends it. Refusals are logged, reported (counted, `publishRefused`) and answered
 * NetStream.Publish.Rejected (unknown target), .BadName (name empty or taken) or
 * .Unauthorized (access control) with the reason. A publish moved by the control server's
 * new_url is checked and claimed again at its new place.
 */
import { StatusCode, type PublishDecision, type PublishInfo, type RtmpIngestSession } from '@sluice/rtmp';
import type { StreamRef } from '@sluice/push';
import { PublishAdmission, type AdmittedPublish } from '../../access/publish-admission.js';
import type { RefusalCause } from '../../access/refusal.js';
import { StreamAlreadyPublished, type StreamPublication } from '../../hub/stream-hub.js';
import type { IngestContext } from '../ingest-protocol.js';
import { rtmpPublishUrl } from './rtmp-publish-url.js';

const REJECTED = 'NetStream.Publish.Rejected';

/** An admitted RTMP publish: where it goes (and until when), and its publication in the hub. */
export interface AdmittedRtmpPublish {
  target: AdmittedPublish;
  publication: StreamPublication;
}

/** The RTMP ingest's admission: `authorize`/`release` for the RtmpServer, and what each admitted session publishes. */
export interface RtmpAdmission {
  authorize: (info: PublishInfo, session: RtmpIngestSession) => PublishDecision | Promise<PublishDecision>;
  /** Ends the claim of a session (its publish is over or was refused). */
  release: (info: PublishInfo, session: RtmpIngestSession) => void;
  /** The admitted publish of a session (undefined before admission). */
  admitted: (session: RtmpIngestSession) => AdmittedRtmpPublish | undefined;
}

type Refusal = { cause: RefusalCause; reason: string };

const isRefusal = (x: StreamPublication | Refusal): x is Refusal => 'cause' in x;

/** A session's hold on a stream name: claimed first, admitted (with its target) later. */
interface Claim {
  publication: StreamPublication;
  target?: AdmittedPublish;
}

/** Creates the admission of the RTMP ingest of a server. */
export function createRtmpAdmission({ publish, vhosts, log, admission: given }: IngestContext): RtmpAdmission {
  const admission = given ?? new PublishAdmission(vhosts, { log });
  const claims = new WeakMap<RtmpIngestSession, Claim>();

  /** The refusal of a target that is unknown or not RTMP, or of an empty name; undefined when it may publish. */
  const check = (vhost: string, appName: string, name: string): Refusal | undefined => {
    const app = vhosts.application(vhost, appName);
    if (app === undefined)
      return { cause: 'not-found', reason: `Could not find the application: [${vhost}/${appName}]` };
    if (!app.rtmp)
      return { cause: 'not-found', reason: `RTMP is not enabled for the application: [${vhost}/${appName}]` };
    if (name === '') return { cause: 'bad-name', reason: 'The stream name is empty' };
    return undefined;
  };

  /** Claims the name in the hub: the publication, or the refusal of a name that is taken. */
  const claim = (session: RtmpIngestSession, ref: StreamRef): StreamPublication | Refusal => {
    const socket = session.connection.socket;
    try {
      return publish(ref, {
        remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
        bytesReceived: () => socket.bytesRead,
      });
    } catch (e) {
      if (!(e instanceof StreamAlreadyPublished)) throw e;
      return { cause: 'bad-name', reason: `Stream ${ref.vhost}/${ref.app}/${ref.name} is already being published.` };
    }
  };

  const refuse = (session: RtmpIngestSession, info: PublishInfo, vhost: string, refusal: Refusal): PublishDecision => {
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
    const publication = claim(session, { vhost: vhost.name, app: info.app, name: info.name });
    if (isRefusal(publication)) return refuse(session, info, vhost.name, publication);
    const held: Claim = { publication };
    claims.set(session, held);
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
        if (claims.get(session) !== held) {
          decision.ended(); // the client left meanwhile: the session ignores this answer
          return null;
        }
        if (decision.outcome === 'rewritten') {
          held.publication.end();
          const moved =
            check(decision.vhost, decision.app, decision.stream) ??
            claim(session, { vhost: decision.vhost, app: decision.app, name: decision.stream });
          if (isRefusal(moved)) {
            decision.ended(); // the control server admitted it: tell it the publish is over
            return refuse(session, info, vhost.name, moved);
          }
          held.publication = moved;
          log.info('RTMP publish moved by the admission webhook', {
            from: `${vhost.name}/${info.app}/${info.name}`,
            to: `${decision.vhost}/${decision.app}/${decision.stream}`,
          });
        }
        held.target = decision;
        return null;
      });
  };

  const release = (_info: PublishInfo, session: RtmpIngestSession): void => {
    const held = claims.get(session);
    if (held === undefined) return;
    claims.delete(session);
    held.publication.end();
    held.target?.ended();
  };

  const admitted = (session: RtmpIngestSession): AdmittedRtmpPublish | undefined => {
    const held = claims.get(session);
    return held?.target === undefined ? undefined : { target: held.target, publication: held.publication };
  };
  return { authorize, release, admitted };
}
