/**
 * Reads a configuration XML file into a small element tree that remembers the line of
 * every element, so that errors can name where they are. Parsing is done by
 * fast-xml-parser; lines come from its node metadata (start offsets).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ConfigError } from './config-error.js';

/** One XML element of a configuration file. */
export interface XmlElement {
  name: string;
  /** Dotted path from the root, e.g. `Server.Bind.API.Port`. */
  path: string;
  /** 1-based line where the element starts. */
  line: number;
  /** Character offset where the element starts (document order). */
  offset: number;
  /** Text content, trimmed (empty for elements holding only children). */
  text: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

/** Most bytes a configuration file may have (1 MiB): larger files are refused. */
export const MAX_CONFIG_BYTES = 1 << 20;

const TEXT = '#text';
const ATTRIBUTE_PREFIX = '@';

/** Parses XML text into its root element; malformed XML throws ConfigError with the line. */
export function parseXmlTree(xml: string, file?: string): XmlElement {
  if (xml.length > MAX_CONFIG_BYTES)
    throw new ConfigError(`file is larger than ${MAX_CONFIG_BYTES} bytes`, file, undefined, undefined);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ConfigError(`malformed XML: ${valid.err.msg}`, file, undefined, valid.err.line);
  const parser = new XMLParser({
    captureMetaData: true,
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    alwaysCreateTextNode: true,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: true,
    isArray: (_name: string, _jpath: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  });
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    // what the validator lets through and the parser still refuses (nesting past its bound, DOCTYPE faults)
    throw new ConfigError(`malformed XML: ${(e as Error).message}`, file, undefined, undefined);
  }
  const lineStarts = lineStartOffsets(xml);
  const meta = XMLParser.getMetaDataSymbol() as unknown as symbol;
  const roots: XmlElement[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    for (const node of asArray(value)) roots.push(toElement(name, name, node, meta, lineStarts));
  }
  const root = roots[0];
  if (root === undefined) throw new ConfigError('the file holds no XML element', file, undefined, undefined);
  if (roots.length > 1)
    throw new ConfigError('the file holds more than one root element', file, roots[1]?.name, roots[1]?.line);
  return root;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function toElement(name: string, path: string, node: unknown, meta: symbol, lineStarts: number[]): XmlElement {
  const element: XmlElement = { name, path, line: 0, offset: 0, text: '', attributes: {}, children: [] };
  if (typeof node !== 'object' || node === null) {
    element.text =
      typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? String(node).trim() : '';
    return element;
  }
  const record = node as Record<string | symbol, unknown>;
  const info = record[meta] as { startIndex?: number } | undefined;
  if (info?.startIndex !== undefined) {
    element.offset = info.startIndex;
    element.line = lineOf(lineStarts, info.startIndex);
  }
  for (const [key, value] of Object.entries(record)) {
    if (key === TEXT) element.text = String(value).trim();
    else if (key.startsWith(ATTRIBUTE_PREFIX)) element.attributes[key.slice(ATTRIBUTE_PREFIX.length)] = String(value);
    else
      for (const child of asArray(value))
        element.children.push(toElement(key, `${path}.${key}`, child, meta, lineStarts));
  }
  // fast-xml-parser groups children by name; restore document order
  element.children.sort((a, b) => a.offset - b.offset);
  return element;
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line holding `offset` (binary search over line starts). */
function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
