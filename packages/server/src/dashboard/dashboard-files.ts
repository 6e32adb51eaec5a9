/**
 * DashboardFiles: the built dashboard (a flat folder: index.html, a script, a style
 * sheet) held in memory and answered at /dashboard/ on the API port. A request names a
 * file of that folder exactly or gets 404: nothing is joined onto a file-system path,
 * so no `..`, encoded slash or absolute path can reach another file. GET and HEAD,
 * content types by extension, gzip when the client takes it, ETag/304, the security
 * headers of DASHBOARD_SECURITY_HEADERS on every answer.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DASHBOARD_PATH, DASHBOARD_SECURITY_HEADERS } from './dashboard-routes.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Files with a content hash in their name (`app-3F2A9QZK.js`) never change: cached for a year. */
const HASHED_NAME = /-[A-Z0-9]{8,}\.[a-z0-9]+$/;

interface LoadedFile {
  body: Buffer;
  gzip: Buffer | null;
  contentType: string;
  etag: string;
  cacheControl: string;
}

/** The built dashboard's folder (`dist/` of @sluice/dashboard), or undefined when the package is not installed. */
export function defaultDashboardRoot(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('@sluice/dashboard/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/** Serves one built dashboard folder. */
export class DashboardFiles {
  private files: ReadonlyMap<string, LoadedFile> | undefined;

  /** `root`: the built folder; undefined = not installed (every request answers 404 saying so). */
  constructor(private readonly root: string | undefined = defaultDashboardRoot()) {}

  /** True when the request is the dashboard's (and was answered); false leaves it to the API. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    const question = url.indexOf('?');
    const path = question < 0 ? url : url.slice(0, question);
    if (path !== DASHBOARD_PATH && !path.startsWith(`${DASHBOARD_PATH}/`)) return false;
    for (const name in DASHBOARD_SECURITY_HEADERS) res.setHeader(name, DASHBOARD_SECURITY_HEADERS[name] as string);
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return this.plain(res, 405, 'Method not allowed: the dashboard answers GET and HEAD');
    }
    if (path === DASHBOARD_PATH) {
      res.statusCode = 308;
      res.setHeader('location', `${DASHBOARD_PATH}/${question < 0 ? '' : url.slice(question)}`);
      res.end();
      return true;
    }
    const name = path.slice(DASHBOARD_PATH.length + 1) || 'index.html';
    const files = this.load();
    const file = files === null ? undefined : files.get(name);
    if (file === undefined)
      return this.plain(
        res,
        404,
        files === null ? 'The dashboard is not built: run pnpm build' : 'Not found in the dashboard',
      );
    res.setHeader('content-type', file.contentType);
    res.setHeader('cache-control', file.cacheControl);
    res.setHeader('etag', file.etag);
    res.setHeader('vary', 'Accept-Encoding');
    if (matchesEtag(req.headers['if-none-match'], file.etag)) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    const gzip = file.gzip !== null && acceptsGzip(req.headers['accept-encoding']);
    const body = gzip ? (file.gzip as Buffer) : file.body;
    if (gzip) res.setHeader('content-encoding', 'gzip');
    res.setHeader('content-length', body.length);
    res.statusCode = 200;
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  }

  /** Reads the folder once (null when it is missing or empty). */
  private load(): ReadonlyMap<string, LoadedFile> | null {
    if (this.files !== undefined) return this.files.size === 0 ? null : this.files;
    const files = new Map<string, LoadedFile>();
    if (this.root !== undefined) {
      let names: string[] = [];
      try {
        names = readdirSync(this.root);
      } catch {
        names = [];
      }
      for (const name of names) {
        const full = join(this.root, name);
        if (!statSync(full).isFile()) continue;
        const body = readFileSync(full);
        const contentType = CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
        const compressible = /^(text\/|application\/json|image\/svg)/.test(contentType) && body.length > 512;
        files.set(name, {
          body,
          gzip: compressible ? gzipSync(body, { level: 9 }) : null,
          contentType,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
          cacheControl: HASHED_NAME.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
    }
    // an unbuilt folder is looked at again on the next request (pnpm build may run meanwhile)
    if (files.size > 0) this.files = files;
    return files.size === 0 ? null : files;
  }

  private plain(res: ServerResponse, status: number, text: string): true {
    res.statusCode = status;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(text);
    return true;
  }
}

function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function matchesEtag(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  return value.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}
