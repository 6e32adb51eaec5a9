/** The API's credentials: `Authorization: Basic base64(token)`, the whole token UTF-8 encoded (not user:password). */

/** The Authorization header value for `token`. */
export function basicAuthorization(token: string): string {
  const bytes = new TextEncoder().encode(token);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
