// tfjs-core with tfjs-backend-cpu AND the gradient registrations, as one module.
// tfjs-core's Node build (its package "main") leaves out the gradient functions (the full tfjs bundle
// adds them from dist/register_all_gradients.js, an ES module with directory imports that Node cannot
// load). So esbuild bundles core, the gradients and the CPU backend into one file, imported once.
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

type Tfjs = typeof import('@tensorflow/tfjs-core');

const ENTRY = `
module.exports = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-core/dist/register_all_gradients');
require('@tensorflow/tfjs-backend-cpu');
`;

/** tfjs with the 'cpu' backend active and tf.grad/tf.grads working. */
export async function loadTfjsWithGradients(): Promise<Tfjs> {
  const root = new URL('../..', import.meta.url).pathname;
  const result = buildSync({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'error',
  });
  const dir = mkdtempSync(join(tmpdir(), 'lsgrad-tfjs-'));
  const file = join(dir, 'tfjs.cjs');
  writeFileSync(file, result.outputFiles[0]!.text);
  let tf: Tfjs;
  try {
    tf = createRequire(import.meta.url)(file) as Tfjs;
  } finally {
    rmSync(dir, { recursive: true, force: true }); // loaded: the file is no longer needed
  }
  await tf.setBackend('cpu');
  if (tf.getBackend() !== 'cpu') throw new Error(`tfjs backend is '${tf.getBackend()}', expected 'cpu'`);
  return tf;
}
