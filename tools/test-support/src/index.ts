export * from './peers.js';
export * from './vitest-peers.js';
export * from './net.js';
export * from './process.js';
export * from './ffprobe.js';
export * from './nginx-rtmp.js';
export * from './fixtures.js';
export * from './ffmpeg-generate.js';
