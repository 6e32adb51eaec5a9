/**
 * Typed reading of configuration elements: integers, booleans, required children,
 * with ConfigError naming the element and its line, and a warning for every element
 * the reader was not asked about.
 */
import { ConfigError } from './config-error.js';
import type { XmlElement } from './xml-tree.js';

/** A non-fatal remark about a configuration file (an ignored element). */
export interface ConfigWarning {
  message: string;
  file: string | undefined;
  element: string;
  line: number;
}

/** Reads elements of one file, collecting warnings. */
export class ElementReader {
  readonly warnings: ConfigWarning[] = [];

  constructor(readonly file: string | undefined) {}

  /** A ConfigError located at `element`. */
  error(element: XmlElement, detail: string): ConfigError {
    return new ConfigError(detail, this.file, element.path, element.line);
  }

  /**
   * Checks that `element` has only children named in `known`; others are warned about
   * and ignored. Names listed in `single` may appear at most once.
   */
  expectChildren(element: XmlElement, known: readonly string[], single: readonly string[] = known): void {
    const seen = new Set<string>();
    for (const child of element.children) {
      if (!known.includes(child.name)) {
        this.warnings.push({
          message: `unknown element <${child.name}> ignored`,
          file: this.file,
          element: child.path,
          line: child.line,
        });
        continue;
      }
      if (single.includes(child.name) && seen.has(child.name)) throw this.error(child, 'appears more than once');
      seen.add(child.name);
    }
  }

  /** The first child named `name`, or undefined. */
  child(element: XmlElement, name: string): XmlElement | undefined {
    return element.children.find((c) => c.name === name);
  }

  /** Every child named `name`, in document order. */
  children(element: XmlElement, name: string): XmlElement[] {
    return element.children.filter((c) => c.name === name);
  }

  /** The child named `name`; missing → ConfigError on the parent. */
  required(element: XmlElement, name: string): XmlElement {
    const found = this.child(element, name);
    if (found === undefined) throw this.error(element, `required element <${name}> is missing`);
    return found;
  }

  /** Non-empty text of `element`; empty → ConfigError. */
  text(element: XmlElement): string {
    if (element.text === '') throw this.error(element, 'must not be empty');
    return element.text;
  }

  /** Integer text of `element` within [min, max]; anything else → ConfigError. */
  integer(element: XmlElement, min: number, max: number): number {
    const value = /^[+]?\d{1,15}$/.test(element.text) ? Number(element.text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw this.error(element, `must be an integer from ${min} to ${max}, got "${element.text}"`);
    }
    return value;
  }

  /** The integer text of child `name`, or `fallback` when the child is absent. */
  optionalInteger(element: XmlElement, name: string, min: number, max: number, fallback: number): number {
    const found = this.child(element, name);
    return found === undefined ? fallback : this.integer(found, min, max);
  }

  /** `true`/`false` (any case) of `element`; anything else → ConfigError. */
  boolean(element: XmlElement): boolean {
    const lower = element.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw this.error(element, `must be true or false, got "${element.text}"`);
  }

  /** A TCP/UDP port number (1..65535; 0 allowed when `allowZero`, meaning "any free port"). */
  port(element: XmlElement, allowZero = false): number {
    return this.integer(element, allowZero ? 0 : 1, 65535);
  }
}
