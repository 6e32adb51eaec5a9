import { describe, expect, it } from 'vitest';
import { pushStateStyle } from './push-state-style.js';

describe('pushStateStyle', () => {
  it('gives every state a word and a tone (never colour alone)', () => {
    expect(pushStateStyle('pushing')).toMatchObject({ text: 'Pushing', tone: 'ok' });
    expect(pushStateStyle('connecting')).toMatchObject({ text: 'Connecting', tone: 'progress' });
    expect(pushStateStyle('stopping')).toMatchObject({ text: 'Stopping', tone: 'progress' });
    expect(pushStateStyle('ready')).toMatchObject({ text: 'Ready', tone: 'idle' });
    expect(pushStateStyle('stopped')).toMatchObject({ text: 'Stopped', tone: 'idle' });
    expect(pushStateStyle('error')).toMatchObject({ text: 'Error', tone: 'error' });
  });

  it('shows an unknown state as itself, in the error tone, and is not fooled by prototype names', () => {
    expect(pushStateStyle('paused')).toMatchObject({ text: 'paused', tone: 'error' });
    expect(pushStateStyle('constructor')).toMatchObject({ text: 'constructor', tone: 'error' });
    expect(pushStateStyle('__proto__')).toMatchObject({ text: '__proto__', tone: 'error' });
  });
});
