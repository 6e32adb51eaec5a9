/**
 * `<Bind><Providers><SRT>`: the SRT ingest's port and socket options, in OvenMediaEngine's
 * layout (`<Port>` and `<Options><Option><Key>SRTO_…</Key><Value>…</Value></Option></Options>`,
 * libsrt's option names and units):
 *
 * | key | unit | meaning |
 * | --- | --- | --- |
 * | `SRTO_PASSPHRASE` | 10-79 characters | every caller must encrypt with it (a caller in clear is refused) |
 * | `SRTO_PBKEYLEN` | 16, 24, 32 (0 = default) | the key length the listener announces (a caller's own wins) |
 * | `SRTO_LATENCY` (or `SRTO_RCVLATENCY`) | milliseconds, 0-65535 | the receiving latency; the larger of both peers' wins |
 * | `SRTO_PEERIDLETIMEO` | milliseconds, 1000-3600000 | a silent caller's publish ends after this long |
 *
 * Any other key is an error (a misspelt SRTO_PASSPHRASE must not leave the port in clear);
 * the passphrase never appears in a message.
 */
import type { ElementReader } from './element-reader.js';
import type { XmlElement } from './xml-tree.js';

/** The SRT ingest of a server. */
export interface SrtProviderConfig {
  /** UDP port (0 = any free port). */
  port: number;
  passphrase?: string | undefined;
  pbkeylen?: 16 | 24 | 32 | undefined;
  latencyMs?: number | undefined;
  peerIdleTimeoutMs?: number | undefined;
}

const KEYS = ['SRTO_PASSPHRASE', 'SRTO_PBKEYLEN', 'SRTO_LATENCY', 'SRTO_RCVLATENCY', 'SRTO_PEERIDLETIMEO'];

/** Reads `<Bind><Providers><SRT>` (undefined when absent: no SRT port). */
export function readSrtProvider(reader: ElementReader, providers: XmlElement): SrtProviderConfig | undefined {
  const srt = reader.child(providers, 'SRT');
  if (srt === undefined) return undefined;
  reader.expectChildren(srt, ['Port', 'WorkerCount', 'Options']);
  const config: SrtProviderConfig = { port: reader.port(reader.required(srt, 'Port'), true) };
  const workers = reader.child(srt, 'WorkerCount');
  if (workers !== undefined) reader.integer(workers, 1, 64); // accepted for OvenMediaEngine's files; one event loop here
  const options = reader.child(srt, 'Options');
  if (options === undefined) return config;
  reader.expectChildren(options, ['Option'], []);
  const seen = new Set<string>();
  for (const option of reader.children(options, 'Option')) {
    reader.expectChildren(option, ['Key', 'Value']);
    const keyElement = reader.required(option, 'Key');
    const key = reader.text(keyElement).toUpperCase();
    if (!KEYS.includes(key))
      throw reader.error(keyElement, `unknown SRT option "${keyElement.text}" (known: ${KEYS.join(', ')})`);
    const canonical = key === 'SRTO_RCVLATENCY' ? 'SRTO_LATENCY' : key;
    if (seen.has(canonical)) throw reader.error(keyElement, `SRT option ${key} is given twice`);
    seen.add(canonical);
    const value = reader.required(option, 'Value');
    if (canonical === 'SRTO_PASSPHRASE') {
      const length = value.text.length;
      if (length < 10 || length > 79)
        throw reader.error(value, `SRTO_PASSPHRASE must have 10 to 79 characters, got ${length}`);
      config.passphrase = value.text;
    } else if (canonical === 'SRTO_PBKEYLEN') {
      const n = reader.integer(value, 0, 32);
      if (n !== 0 && n !== 16 && n !== 24 && n !== 32)
        throw reader.error(value, `SRTO_PBKEYLEN must be 0, 16, 24 or 32, got ${n}`);
      if (n !== 0) config.pbkeylen = n;
    } else if (canonical === 'SRTO_LATENCY') {
      config.latencyMs = reader.integer(value, 0, 65535);
    } else {
      config.peerIdleTimeoutMs = reader.integer(value, 1000, 3_600_000);
    }
  }
  if (config.pbkeylen !== undefined && config.passphrase === undefined)
    throw reader.error(options, 'SRTO_PBKEYLEN is set but there is no SRTO_PASSPHRASE');
  return config;
}
