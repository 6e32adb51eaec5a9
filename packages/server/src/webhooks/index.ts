/**
 * Webhooks: the server's events POSTed as signed JSON to `<Managers><Webhooks>` receivers.
 */
/** `<Managers><Webhooks>` as read from Server.xml, its defaults and reader. */
export { readWebhooksConfig, WEBHOOK_DEFAULTS, type WebhookConfig, type WebhooksConfig } from './webhook-config.js';
/** The running receivers of a server and what creates them. */
export {
  createWebhookDispatcher,
  type WebhookDispatcher,
  type WebhookDispatcherContext,
} from './webhook-dispatcher.js';
/** One receiver: its queue, delivery loop and counters. */
export { WebhookEndpoint, type WebhookCounters, type DropReason } from './webhook-endpoint.js';
/** `X-Sluice-Signature`: how it is made and how a receiver checks it. */
export {
  SIGNATURE_HEADER,
  DEFAULT_REPLAY_WINDOW_S,
  signatureHeader,
  verifySignature,
  type SignatureProblem,
} from './webhook-signature.js';
