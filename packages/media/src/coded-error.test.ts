import { describe, expect, it } from 'vitest';
import { CodedError } from './coded-error.js';

class ProbeError extends CodedError<'a' | 'b'> {
  constructor(
    code: 'a' | 'b',
    message: string,
    readonly offset: number | undefined = undefined,
    options?: ErrorOptions,
  ) {
    super('ProbeError', code, message, options);
  }
}

describe('CodedError', () => {
  it("carries the subclass's name, its code, the message as given and the cause", () => {
    const cause = new Error('socket closed');
    const error = new ProbeError('b', 'peer said: forbidden', 12, { cause });
    expect(error).toBeInstanceOf(CodedError);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.code, error.message, error.offset, error.cause]).toEqual([
      'ProbeError',
      'b',
      'peer said: forbidden',
      12,
      cause,
    ]);
    expect(String(error)).toBe('ProbeError: peer said: forbidden');
  });
});
