'use strict';
/**
 * The start file of a pthread worker of tfjs-backend-wasm's threaded build under Node (see
 * src-main/model/wasm-threads.ts). That package ships the worker's source as a string exported by
 * its .worker.js file (browsers start it from a Blob); this runs that source as the worker's own
 * script, with the `require` and `__filename` it expects from a CommonJS file.
 */
const { runInThisContext } = require('node:vm');
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');

// The package writes its "\n" escapes as real newlines inside a string literal; tfjs escapes them
// back before making its Blob, and so do we.
const source = wasmWorkerContents.replace(/\n/g, '\\n');
runInThisContext(`(function (require, __filename) {${source}\n})`, { filename: __filename })(require, __filename);
