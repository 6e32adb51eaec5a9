import { describe, expect, it } from 'vitest';
import { PacketQueue } from './packet-queue.js';
import { audio, video, VIDEO } from './test-support/media.js';

describe('PacketQueue', () => {
  it('keeps order and byte counts across growth', () => {
    const q = new PacketQueue(2);
    for (let i = 0; i < 40; i++) q.push(video(i * 40, i % 10 === 0, 10));
    expect(q.length).toBe(40);
    expect(q.bytes).toBe(400);
    for (let i = 0; i < 40; i++) expect(q.shift()?.dts).toBe(i * 40 * 90);
    expect(q.bytes).toBe(0);
    expect(q.shift()).toBeUndefined();
  });
  it('drops from the head to the next keyframe of the gate track, never a partial GOP after it', () => {
    const q = new PacketQueue();
    q.push(video(0, true));
    q.push(audio(10));
    q.push(video(40, false));
    q.push(video(80, true));
    q.push(audio(90));
    expect(q.dropToNextKeyframe(VIDEO.id)).toBe(3);
    expect(q.peek()?.dts).toBe(80 * 90);
    expect(q.dropToNextKeyframe(VIDEO.id)).toBe(-1);
    expect(q.length).toBe(2);
  });
});
