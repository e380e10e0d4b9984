// Bundled for the browser by test/browser.test.ts: the playground's computations without its DOM
// wiring, so a context without Node globals (and without a DOM) can run them.
export { explorePattern, PATTERN_DEFAULTS } from '../../examples/playground/pattern.js';
export { trainSideBySide, TRAINING_DEFAULTS } from '../../examples/playground/training.js';
export { classifyEmail } from '../../examples/playground/spam.js';
