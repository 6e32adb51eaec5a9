/**
 * Fuzz targets of publish access control (@sluice/server): what a control server answers
 * an AdmissionWebhook (any bytes, as the HTTP body), and SignedPolicy URLs: the input as a
 * whole publish URL, and as the policy of a URL whose signature matches (so the policy's
 * own parsing is reached). Neither may throw: every input is a verdict.
 */
import { signUrl, type SignedPolicyConfig } from '@sluice/server';
import { AdmissionWebhook } from '../../../../packages/server/src/access/admission-webhook.js';
import { checkSignedPolicy } from '../../../../packages/server/src/access/signed-policy.js';
import { hmacSha1Base64url, splitSignedUrl } from '../../../../packages/server/src/access/url-signing.js';
import { type FuzzTarget } from '../target.js';

const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');

let body: Uint8Array = new Uint8Array(0);
const webhook = new AdmissionWebhook(
  { controlServerUrl: 'http://control.test/admission', secretKey: 'k', timeoutMs: 1000, providers: undefined },
  { fetch: () => Promise.resolve(new Response(body, { status: 200 })) },
);
const publish = { address: '203.0.113.5', port: 40000, protocol: 'rtmp', url: 'rtmp://h:1935/app/s' };

export const webhookAnswer: FuzzTarget = {
  name: 'webhook-answer',
  description:
    "AdmissionWebhooks: a control server's answer body (JSON verdict, new_url, lifetime, reason) read by opening()",
  maxLength: 4096,
  coverage: ['server/src/access/admission-webhook.ts'],
  seeds: () =>
    [
      '{"allowed":true}',
      '{"allowed":false,"reason":"no"}',
      '{"allowed":true,"new_url":"rtmp://h:1935/other/s2","lifetime":60000}',
      '{"allowed":"yes","lifetime":-1,"new_url":5}',
    ].map((s) => encoder.encode(s)),
  run: async (input) => {
    body = input;
    const verdict = await webhook.opening(publish);
    if (typeof verdict.allowed !== 'boolean') throw new Error(`verdict without allowed: ${JSON.stringify(verdict)}`);
    return verdict.allowed ? 'accepted' : 'refused';
  },
};

const policyConfig: SignedPolicyConfig = { policyKey: 'policy', signatureKey: 'signature', secretKey: 'aKq#1kj' };
const NOW = Date.UTC(2026, 11, 4);

/** The URL with `policy` set to `encoded` and a signature that matches it. */
function signedWithPolicy(encoded: string): string {
  const url = `rtmp://media.test:1935/app/stream?policy=${encodeURIComponent(encoded)}&signature=x`;
  const { signedText } = splitSignedUrl(url, 'signature');
  return url.replace(/signature=x$/, `signature=${hmacSha1Base64url(policyConfig.secretKey, signedText)}`);
}

export const signedPolicy: FuzzTarget = {
  name: 'signed-policy',
  description:
    'SignedPolicy: publish URLs (policy and signature parameters, base64url JSON policy, allow_ip CIDR, times)',
  maxLength: 2048,
  coverage: ['server/src/access/signed-policy.ts', 'server/src/access/url-signing.ts', 'server/src/access/cidr.ts'],
  seeds: () => [
    encoder.encode(
      signUrl({
        secretKey: policyConfig.secretKey,
        url: 'rtmp://media.test:1935/app/stream',
        policy: { url_expire: NOW + 3_600_000 },
      }),
    ),
    encoder.encode(
      signUrl({
        secretKey: policyConfig.secretKey,
        url: 'srt://media.test:9999/app/stream',
        policy: {
          url_expire: NOW + 3_600_000,
          url_activate: NOW - 1000,
          stream_expire: NOW + 60_000,
          allow_ip: '203.0.113.0/24',
        },
      }),
    ),
    encoder.encode(Buffer.from('{"url_expire":1893456000000,"allow_ip":"203.0.113.0/24"}').toString('base64url')),
  ],
  run: (input) => {
    const text = latin1.decode(input);
    const whole = checkSignedPolicy(policyConfig, text, '203.0.113.5', NOW);
    const signed = checkSignedPolicy(policyConfig, signedWithPolicy(text), '203.0.113.5', NOW);
    return whole.ok || signed.ok ? 'accepted' : 'refused';
  },
};
