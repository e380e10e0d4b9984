// Bundles the browser demo (examples/browser/) into dist/browser/: demo.js (an IIFE that defines
// the global `lsgradDemo`) next to a copy of index.html. Open dist/browser/index.html in a browser;
// no server is needed. package.json's "browser" field swaps nn/disk.ts for disk.browser.ts.
//   npm run build:browser
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type BuildResult } from 'esbuild';

const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** The demo bundle for the browser platform; with `write: false` its text is in outputFiles. */
export function bundleDemo(write: boolean): Promise<BuildResult<{ write: boolean; metafile: true }>> {
  return build({
    entryPoints: [fromRoot('examples/browser/demo.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'lsgradDemo',
    target: 'es2022',
    outfile: fromRoot('dist/browser/demo.js'),
    write,
    metafile: true,
    logLevel: 'silent',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(fromRoot('dist/browser'), { recursive: true });
  await bundleDemo(true);
  copyFileSync(fromRoot('examples/browser/index.html'), fromRoot('dist/browser/index.html'));
  console.log(`wrote ${fromRoot('dist/browser/demo.js')} and index.html; open dist/browser/index.html in a browser`);
}
