/** Wildcard patterns of the configuration: host names (`*`, `*.example.com`) and stream names (`*`, `?`). */

/**
 * Compiles a wildcard pattern into a predicate: `*` matches any run of characters
 * (also empty), `?` matches exactly one; everything else matches itself.
 */
export function compileGlob(pattern: string, options: { caseInsensitive?: boolean } = {}): (value: string) => boolean {
  if (pattern === '*') return () => true;
  let source = '^';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  source += '$';
  const regex = new RegExp(source, options.caseInsensitive ? 'is' : 's');
  return (value) => regex.test(value);
}

/**
 * True when `host` (a host name or address, port and brackets removed) matches one of
 * the `<Host><Names>` patterns. Matching is case-insensitive; `*` matches every host.
 */
export function hostMatches(patterns: readonly string[], host: string): boolean {
  const bare = stripPort(host).toLowerCase();
  return patterns.some((p) => compileGlob(p.trim(), { caseInsensitive: true })(bare));
}

/** Removes a `:port` suffix and IPv6 brackets from a host header value. */
export function stripPort(host: string): string {
  const h = host.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.indexOf(':');
  // one colon: host:port; several: a bare IPv6 address
  if (colon >= 0 && h.indexOf(':', colon + 1) < 0) return h.slice(0, colon);
  return h;
}
