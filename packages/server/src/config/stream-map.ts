/**
 * StreamMap files: automatic pushes for streams whose names match a pattern
 * (`<PushInfo><Push>` entries; contract, "Configuration").
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import { ElementReader, type ConfigWarning } from './element-reader.js';
import { compileGlob } from './glob-pattern.js';
import { parseXmlTree } from './xml-tree.js';

/** One `<Push>` entry of a StreamMap file. */
export interface StreamMapEntry {
  /** `<StreamName>` pattern (`*` any run, `?` one character). */
  streamName: string;
  /** True when `name` matches `streamName`. */
  matches: (name: string) => boolean;
  /** `<VariantNames>`, comma separated; empty = every track. */
  variantNames: string[];
  /** `<Protocol>`, lower case (checked against the server's push protocols by checkStreamMapProtocols). */
  protocol: string;
  /** Line of the `<Protocol>` element. */
  protocolLine: number;
  /** `<Url>` with its macros unexpanded. */
  url: string;
  /** `<StreamKey>` with its macros unexpanded ('' when absent). */
  streamKey: string;
  /** Position of the entry among the enabled ones (0-based), for stable push ids. */
  index: number;
  /** Line of the `<Push>` element. */
  line: number;
}

/** Values of the macros `${Application}`, `${Stream}` and `${SourceStream}`. */
export interface StreamMacros {
  application: string;
  stream: string;
  sourceStream: string;
}

/** Reads a StreamMap file; unreadable → ConfigError("cannot read ..."). Warnings go to `warnings`. */
export function readStreamMapFile(file: string, warnings: ConfigWarning[] = []): StreamMapEntry[] {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the file: ${(e as Error).message}`, file, undefined, undefined);
  }
  return parseStreamMap(xml, file, warnings);
}

/** Parses StreamMap XML: root `<PushInfo>` holding `<Push>` entries; disabled entries are left out. */
export function parseStreamMap(xml: string, file?: string, warnings: ConfigWarning[] = []): StreamMapEntry[] {
  const reader = new ElementReader(file);
  const root = parseXmlTree(xml, file);
  if (root.name !== 'PushInfo') throw reader.error(root, 'the root element must be <PushInfo>');
  reader.expectChildren(root, ['Push'], []);
  const entries: StreamMapEntry[] = [];
  for (const push of reader.children(root, 'Push')) {
    reader.expectChildren(push, ['Enable', 'StreamName', 'VariantNames', 'Protocol', 'Url', 'StreamKey']);
    const enableElement = reader.child(push, 'Enable');
    if (enableElement !== undefined && !reader.boolean(enableElement)) continue;
    const streamName = reader.text(reader.required(push, 'StreamName'));
    const protocolElement = reader.required(push, 'Protocol');
    const protocol = reader.text(protocolElement).toLowerCase();
    const url = reader.text(reader.required(push, 'Url'));
    const variantElement = reader.child(push, 'VariantNames');
    const variantNames =
      variantElement === undefined
        ? []
        : variantElement.text
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== '');
    const streamKey = reader.child(push, 'StreamKey')?.text ?? '';
    entries.push({
      streamName,
      matches: compileGlob(streamName),
      variantNames,
      protocol,
      protocolLine: protocolElement.line,
      url,
      streamKey,
      index: entries.length,
      line: push.line,
    });
  }
  warnings.push(...reader.warnings);
  return entries;
}

/**
 * Throws a ConfigError naming the file and the `<Protocol>` line for the first entry of
 * `map` whose protocol is not one of `protocols` (the server's push protocol names).
 */
export function checkStreamMapProtocols(
  map: { path: string | undefined; entries: readonly StreamMapEntry[] },
  protocols: readonly string[],
): void {
  const unknown = map.entries.find((e) => !protocols.includes(e.protocol));
  if (unknown === undefined) return;
  throw new ConfigError(
    `unsupported protocol "${unknown.protocol}" (${protocols.join(' or ')})`,
    map.path,
    'PushInfo.Push.Protocol',
    unknown.protocolLine,
  );
}

/** Replaces `${Application}`, `${Stream}` and `${SourceStream}` in `template`; other text is kept. */
export function expandStreamMacros(template: string, macros: StreamMacros): string {
  return template.replace(/\$\{(Application|Stream|SourceStream)\}/g, (_all, name: string) =>
    name === 'Application' ? macros.application : name === 'Stream' ? macros.stream : macros.sourceStream,
  );
}
