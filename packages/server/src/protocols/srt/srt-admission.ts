/**
 * Who may publish over SRT, decided on the caller's handshake (before it is accepted): its
 * stream ID read as a stream (parseSrtStreamId), the ingest's own checks (the virtual host,
 * the application exists and has SRT), the name claimed in the stream hub (the one check
 * that a name has one publisher, whatever the protocol), then the server's PublishAdmission
 * (SignedPolicy, AdmissionWebhooks) on the URL the encoder was given, as for RTMP
 * (rtmp-admission.ts). The claim holds the name while the admission decides and is the
 * publication once admitted; `release` ends it.
 *
 * Refusals are logged, reported (`publishRefused`, counted by cause) and answered with
 * libsrt's access-control reject codes (SRT_REJX_*, 1000 + the HTTP status; the peer sees
 * the code, the log and the event carry the reason):
 *
 * | refusal | code |
 * | --- | --- |
 * | the stream ID names no stream (empty, none of the forms, a bad escape) | 1400 `SRT_REJX_BAD_REQUEST` |
 * | `m=request` or `m=bidirectional` (this port only takes publishers) | 1405 `SRT_REJX_BAD_MODE` |
 * | unknown virtual host or application, SRT off for it, a bad new_url | 1404 `SRT_REJX_NOTFOUND` |
 * | the name is being published | 1409 `SRT_REJX_CONFLICT` |
 * | SignedPolicy or the control server refused (or could not be asked) | 1403 `SRT_REJX_FORBIDDEN` |
 * | too many admission calls waiting | 1402 `SRT_REJX_OVERLOAD` |
 */
import type { StreamRef } from '@sluice/push';
import {
  parseSrtStreamId,
  SrtRejectPredefined,
  SrtStreamIdError,
  type SrtAcceptDecision,
  type SrtConnectRequest,
  type SrtStreamTarget,
} from '@sluice/srt';
import { PublishAdmission, type AdmittedPublish } from '../../access/publish-admission.js';
import type { RefusalCause } from '../../access/refusal.js';
import { StreamAlreadyPublished, type StreamPublication } from '../../hub/stream-hub.js';
import type { IngestContext } from '../ingest-protocol.js';

/** A caller's hold on a stream name: claimed first, admitted (with its target) later. */
export interface SrtClaim {
  publication: StreamPublication;
  target?: AdmittedPublish;
  /** Reads the bytes the caller's connection received (the ingest sets it once accepted). */
  received: { read: () => number };
}

/** The SRT ingest's admission: the listener's `onConnectRequest`, and each admitted caller's claim. */
export interface SrtAdmission {
  decide: (request: SrtConnectRequest) => SrtAcceptDecision | Promise<SrtAcceptDecision>;
  /** The claim of an accepted (or being accepted) caller, undefined when refused. */
  claimOf: (request: SrtConnectRequest) => SrtClaim | undefined;
  /** True when this admission refused the caller (it logged and reported that already). */
  refused: (request: SrtConnectRequest) => boolean;
  /** Ends the claim of a caller (its publish is over, or the listener refused it after all); idempotent. */
  release: (request: SrtConnectRequest) => void;
}

type Refusal = { cause: RefusalCause; reason: string; code: number };

const REJECT_CODE: Record<RefusalCause, number> = {
  'not-found': SrtRejectPredefined.NotFound,
  'bad-name': SrtRejectPredefined.BadRequest,
  'rewrite-invalid': SrtRejectPredefined.NotFound,
  'webhook-busy': SrtRejectPredefined.Overload,
  'policy-missing': SrtRejectPredefined.Forbidden,
  'policy-malformed': SrtRejectPredefined.Forbidden,
  'policy-signature': SrtRejectPredefined.Forbidden,
  'policy-expired': SrtRejectPredefined.Forbidden,
  'policy-not-active': SrtRejectPredefined.Forbidden,
  'policy-ip': SrtRejectPredefined.Forbidden,
  'webhook-refused': SrtRejectPredefined.Forbidden,
  'webhook-timeout': SrtRejectPredefined.Forbidden,
  'webhook-unreachable': SrtRejectPredefined.Forbidden,
  'webhook-status': SrtRejectPredefined.Forbidden,
  'webhook-answer': SrtRejectPredefined.Forbidden,
};

const refusal = (cause: RefusalCause, reason: string, code = REJECT_CODE[cause]): Refusal => ({ cause, reason, code });

/** Where a caller publishes: the vhost, app, stream and query its stream ID names. */
interface Named {
  vhost: string;
  target: SrtStreamTarget;
}

/** Creates the admission of the SRT ingest of a server; `port` is the ingest's bound UDP port (for the URL). */
export function createSrtAdmission(context: IngestContext, port: () => number): SrtAdmission {
  const { publish, vhosts, log } = context;
  const admission = context.admission ?? new PublishAdmission(vhosts, { log });
  const claims = new WeakMap<SrtConnectRequest, SrtClaim>();
  const refusedRequests = new WeakSet<SrtConnectRequest>();

  const remoteOf = (r: SrtConnectRequest): string =>
    r.remoteAddress.includes(':') ? `[${r.remoteAddress}]:${r.remotePort}` : `${r.remoteAddress}:${r.remotePort}`;

  /** The stream a stream ID names, or the refusal. */
  const name = (request: SrtConnectRequest): Named | Refusal => {
    let target: SrtStreamTarget;
    try {
      target = parseSrtStreamId(request.streamId);
    } catch (e) {
      if (!(e instanceof SrtStreamIdError)) throw e;
      return refusal('bad-name', `Bad stream ID: ${e.message}`);
    }
    if (target.mode !== 'publish')
      return refusal(
        'not-found',
        `The stream ID asks for m=${target.mode}: this port only takes publishers (m=publish)`,
        SrtRejectPredefined.BadMode,
      );
    const vhost = target.vhost !== undefined ? vhosts.byName(target.vhost) : vhosts.forHost(target.host ?? '');
    if (vhost === undefined)
      return refusal(
        'not-found',
        target.vhost !== undefined
          ? `Could not find the virtual host: [${target.vhost}]`
          : `No virtual host serves [${target.host ?? ''}]`,
      );
    return { vhost: vhost.name, target };
  };

  /** The refusal of an application that is unknown or not SRT; undefined when it may publish. */
  const check = (vhost: string, appName: string): Refusal | undefined => {
    const app = vhosts.application(vhost, appName);
    if (app === undefined) return refusal('not-found', `Could not find the application: [${vhost}/${appName}]`);
    if (app.srt === false) return refusal('not-found', `SRT is not enabled for the application: [${vhost}/${appName}]`);
    return undefined;
  };

  /** Claims the name in the hub: the publication, or the refusal of a name that is taken. */
  const claim = (
    request: SrtConnectRequest,
    ref: StreamRef,
    received: SrtClaim['received'],
  ): StreamPublication | Refusal => {
    try {
      return publish(ref, { remote: remoteOf(request), bytesReceived: () => received.read() });
    } catch (e) {
      if (!(e instanceof StreamAlreadyPublished)) throw e;
      return refusal(
        'bad-name',
        `Stream ${ref.vhost}/${ref.app}/${ref.name} is already being published.`,
        SrtRejectPredefined.Conflict,
      );
    }
  };

  const refuse = (request: SrtConnectRequest, where: Partial<Named>, r: Refusal): SrtAcceptDecision => {
    const remote = remoteOf(request);
    const vhost = where.vhost ?? '';
    const app = where.target?.app ?? '';
    const stream = where.target?.stream ?? '';
    refusedRequests.add(request);
    log.warn(`SRT publish refused: ${r.reason}`, {
      vhost,
      app,
      stream,
      streamId: request.streamId,
      remote,
      cause: r.cause,
      rejectReason: r.code,
    });
    admission.report({
      type: 'publishRefused',
      vhost,
      app,
      stream,
      protocol: 'srt',
      reason: r.reason,
      cause: r.cause,
      remote,
    });
    return { accept: false, rejectReason: r.code };
  };

  /** The URL the encoder was given: the stream ID's own (url form) or srt://host:port/app/stream?query. */
  const urlOf = ({ vhost, target }: Named): string => {
    if (target.url !== undefined) return target.url;
    const host = target.host ?? vhost;
    return `srt://${host.includes(':') ? `[${host}]` : host}:${port()}/${target.app}/${target.stream}${target.query !== '' ? `?${target.query}` : ''}`;
  };

  const decide = (request: SrtConnectRequest): SrtAcceptDecision | Promise<SrtAcceptDecision> => {
    const named = name(request);
    if ('cause' in named) return refuse(request, {}, named);
    const { vhost, target } = named;
    const first = check(vhost, target.app);
    if (first !== undefined) return refuse(request, named, first);
    const received = { read: (): number => 0 };
    const publication = claim(request, { vhost, app: target.app, name: target.stream }, received);
    if ('cause' in publication) return refuse(request, named, publication);
    const held: SrtClaim = { publication, received };
    claims.set(request, held);
    return admission
      .admit({
        vhost,
        app: target.app,
        stream: target.stream,
        query: target.query,
        protocol: 'srt',
        remoteAddress: request.remoteAddress,
        remotePort: request.remotePort,
        url: urlOf(named),
      })
      .then((decision): SrtAcceptDecision => {
        if (decision.outcome === 'refused') {
          release(request);
          return refuse(request, named, refusal(decision.cause, decision.reason));
        }
        if (claims.get(request) !== held) {
          decision.ended(); // released meanwhile (the ingest closed): nothing will publish
          return { accept: false, rejectReason: SrtRejectPredefined.Unacceptable };
        }
        if (decision.outcome === 'rewritten') {
          held.publication.end();
          const moved =
            check(decision.vhost, decision.app) ??
            claim(request, { vhost: decision.vhost, app: decision.app, name: decision.stream }, received);
          if ('cause' in moved) {
            claims.delete(request);
            decision.ended(); // the control server admitted it: tell it the publish is over
            return refuse(request, named, moved);
          }
          held.publication = moved;
          log.info('SRT publish moved by the admission webhook', {
            from: `${vhost}/${target.app}/${target.stream}`,
            to: `${decision.vhost}/${decision.app}/${decision.stream}`,
          });
        }
        held.target = decision;
        return { accept: true };
      });
  };

  const release = (request: SrtConnectRequest): void => {
    const held = claims.get(request);
    if (held === undefined) return;
    claims.delete(request);
    held.publication.end();
    held.target?.ended();
  };

  return {
    decide,
    claimOf: (request) => claims.get(request),
    refused: (request) => refusedRequests.has(request),
    release,
  };
}
