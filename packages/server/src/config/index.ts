export * from './config-error.js';
export * from './element-reader.js';
export * from './glob-pattern.js';
export * from './xml-tree.js';
export * from './server-config.js';
export * from './stream-map.js';
export * from './cluster-config.js';
