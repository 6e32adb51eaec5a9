#!/usr/bin/env node
/**
 * The `sluice` command (body in cli-main.ts). It applies the V8 heap settings of
 * streaming-heap.ts first and loads the server afterwards, so that not even the parsing
 * of the server's modules grows the young generation.
 */
import { applyStreamingHeapDefaults } from './streaming-heap.js';

applyStreamingHeapDefaults();
await import('./cli-main.js');
