/** What a fuzz target is: a parser, the real inputs its mutations start from, and its typed errors. */

/** How one input ended: taken, or refused with the parser's typed error. */
export type Outcome = 'accepted' | 'refused';

/** One parser (or parser stack) under fuzzing. */
export interface FuzzTarget {
  /** Short name, used on the command line and for the fixture folder. */
  readonly name: string;
  /** What is fed, in words (the RELIABILITY table's "parser" column). */
  readonly description: string;
  /** Longest input generated, bytes. */
  readonly maxLength: number;
  /** Source files whose coverage is reported (path fragments under packages/). */
  readonly coverage: readonly string[];
  /** Real inputs (captures, fixtures, valid encodings) the mutations start from. */
  seeds(): Uint8Array[] | Promise<Uint8Array[]>;
  /**
   * Feeds one input. Returns normally when the input was accepted or refused with the
   * parser's typed error (caught inside); anything thrown out of here is a finding.
   * Returns 'refused' or 'accepted' for the statistics.
   */
  run(input: Uint8Array): Outcome | Promise<Outcome>;
}

/** A finding: an input on which the target threw something other than its typed error. */
export class FuzzFinding extends Error {
  constructor(
    readonly target: string,
    readonly input: Uint8Array,
    readonly thrown: unknown,
  ) {
    super(`${target}: ${describe(thrown)}`);
    this.name = 'FuzzFinding';
  }
}

/** The error's class and message, one line. */
export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return `non-Error thrown: ${String(error)}`;
}

/**
 * Runs `parse`; its typed errors (instances of one of `typed`) count as a refusal, anything
 * else is rethrown (a finding).
 */
export function expectTyped(
  parse: () => void,
  typed: ReadonlyArray<abstract new (...args: never[]) => Error>,
): 'accepted' | 'refused' {
  try {
    parse();
    return 'accepted';
  } catch (error) {
    if (typed.some((type) => error instanceof type)) return 'refused';
    throw error;
  }
}
