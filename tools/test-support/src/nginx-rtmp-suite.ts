/** nginx-rtmp for the tests of one describe block. */
import { afterAll, beforeAll } from 'vitest';
import { removeNginxDir, startNginxRtmp, type NginxRtmp, type NginxRtmpOptions } from './nginx-rtmp.js';

/**
 * Starts nginx-rtmp before the tests of the enclosing describe and stops it after them,
 * removing its folder; call it in the describe body. Returns the running instance's getter.
 */
export function nginxRtmpForSuite(options: NginxRtmpOptions = {}): () => NginxRtmp {
  let nginx: NginxRtmp | undefined;
  beforeAll(async () => {
    nginx = await startNginxRtmp(options);
  });
  afterAll(async () => {
    if (nginx === undefined) return;
    await nginx.stop();
    removeNginxDir(nginx);
  });
  return () => {
    if (nginx === undefined) throw new Error('nginx-rtmp is not started (call nginxRtmpForSuite in a describe body)');
    return nginx;
  };
}
