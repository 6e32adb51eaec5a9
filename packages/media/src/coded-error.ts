/**
 * The base of the protocol packages' typed errors (`@sluice/mpegts`, `@sluice/srt`): its
 * `name` (the subclass's, given to this constructor), `code`, one word a caller switches on
 * for what went wrong, and a message that keeps the peer's or the input's own words (a reject
 * reason, a stream ID, a byte offset) rather than a paraphrase. A subclass adds only what
 * locates the fault (a PID, an offset, the peer's reject code).
 */
export class CodedError<Code extends string> extends Error {
  constructor(
    name: string,
    readonly code: Code,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = name;
  }
}
