export * from './packet.js';
export * from './amf0/index.js';
