// gpujs-package.ts for browser bundles (package.json's "browser" field maps one to the other): the
// bundler resolves gpu.js itself and names it if it is missing.
export { GPU } from 'gpu.js';
