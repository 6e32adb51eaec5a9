/**
 * A real node:http control server for admission-webhook tests: checks X-OME-Signature on
 * every request (a wrong or missing one is recorded and answered 401), records the
 * bodies, and answers each request with what the test's handler says.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the control server received. */
export interface ControlRequest {
  body: {
    client: { address: string; port: number };
    request: { direction: string; protocol: string; status: string; url: string; new_url?: string; time: string };
  };
  signatureOk: boolean;
  headers: IncomingMessage['headers'];
}

/** The test's answer: JSON (status 200) or full control of the response. */
export type ControlAnswer =
  { json: unknown; status?: number; delayMs?: number } | { raw: (res: ServerResponse) => void; delayMs?: number };

/** A running control server. */
export interface ControlServer {
  url: string;
  port: number;
  requests: ControlRequest[];
  /** Requests with status "opening" / "closing". */
  of: (status: 'opening' | 'closing') => ControlRequest[];
  answer: (request: ControlRequest) => ControlAnswer;
  close: () => Promise<void>;
}

/** Starts a control server on 127.0.0.1 (a free port) verifying signatures with `secretKey`. */
export async function startControlServer(
  secretKey: string,
  answer: (request: ControlRequest) => ControlAnswer = () => ({ json: { allowed: true } }),
): Promise<ControlServer> {
  const requests: ControlRequest[] = [];
  const control: ControlServer = {
    url: '',
    port: 0,
    requests,
    of: (status) => requests.filter((r) => r.body.request.status === status),
    answer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac('sha1', secretKey).update(raw).digest('base64url');
      const signatureOk = req.headers['x-ome-signature'] === expected;
      const request: ControlRequest = {
        body: JSON.parse(raw.toString('utf8')) as ControlRequest['body'],
        signatureOk,
        headers: req.headers,
      };
      requests.push(request);
      if (!signatureOk) {
        res.writeHead(401).end();
        return;
      }
      const reply = control.answer(request);
      const send = (): void => {
        if (res.destroyed) return;
        if ('raw' in reply) return reply.raw(res);
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
      };
      if (reply.delayMs !== undefined) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  control.port = (server.address() as AddressInfo).port;
  control.url = `http://127.0.0.1:${control.port}/v1/admission`;
  return control;
}
