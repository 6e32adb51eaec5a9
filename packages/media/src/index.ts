export * from './packet.js';
