/**
 * How a push state looks: a word (never the colour alone, for colour-blind users and
 * screen readers) and a tone the style sheet colours.
 */
import type { PushState } from '../api/api-types.js';

/** Colour classes of the style sheet (`.tone-ok` …). */
export type Tone = 'ok' | 'progress' | 'idle' | 'error';

/** The word and tone of one state. */
export interface StateStyle {
  text: string;
  tone: Tone;
  /** What the state means, for a tooltip. */
  description: string;
}

const STYLES: Readonly<Record<PushState, StateStyle>> = {
  ready: { text: 'Ready', tone: 'idle', description: 'Waiting for the stream to be published' },
  connecting: { text: 'Connecting', tone: 'progress', description: 'Connecting to the destination' },
  pushing: { text: 'Pushing', tone: 'ok', description: 'Delivering media to the destination' },
  stopping: { text: 'Stopping', tone: 'progress', description: 'Being stopped' },
  stopped: { text: 'Stopped', tone: 'idle', description: 'Stopped; leaves the list when torn down' },
  error: { text: 'Error', tone: 'error', description: 'The last attempt failed; retrying' },
};

/** The style of a state; an unknown state reads as itself in the error tone. */
export function pushStateStyle(state: string): StateStyle {
  return Object.hasOwn(STYLES, state)
    ? STYLES[state as PushState]
    : { text: state, tone: 'error', description: 'A state this dashboard does not know' };
}
