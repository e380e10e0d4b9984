// The playground page (examples/playground/): bundled with esbuild into out/playground/ and served
// on 127.0.0.1 with the two headers that make a page cross-origin isolated (COOP and COEP), which
// the CPU backend's WebAssembly kernel needs for its shared memory.
//   npm run playground                     build, serve on http://127.0.0.1:8080/ and print the address
//   npm run playground -- --port 0         any free port
//   npm run playground -- --build-only     write out/playground/ and exit
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildResult } from 'esbuild';
import { formatHelp, parseArgs, UsageError } from '../cli/args.js';

const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
export const PLAYGROUND_DIR = fromRoot('out/playground');

/** The page's bundle for the browser platform; with `write: false` its text is in outputFiles. */
export function bundlePlayground(write: boolean): Promise<BuildResult<{ write: boolean; metafile: true }>> {
  return build({
    entryPoints: [fromRoot('examples/playground/main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    outfile: join(PLAYGROUND_DIR, 'playground.js'),
    write,
    metafile: true,
    sourcemap: write ? 'linked' : false,
    logLevel: 'silent',
  });
}

/** Writes playground.js and index.html into out/playground/. */
export async function buildPlayground(): Promise<void> {
  mkdirSync(PLAYGROUND_DIR, { recursive: true });
  await bundlePlayground(true);
  copyFileSync(fromRoot('examples/playground/index.html'), join(PLAYGROUND_DIR, 'index.html'));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json', '.json': 'application/json',
};

/**
 * Serves out/playground/ on 127.0.0.1:`port` (0: any free port); resolves with the server and its address.
 * @example const { address, server } = await servePlayground(0); server.close();
 */
export function servePlayground(port: number): Promise<{ server: Server; address: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(PLAYGROUND_DIR, path.endsWith('/') ? `${path}index.html` : path));
    const inside = file.startsWith(PLAYGROUND_DIR);
    const found = inside && (() => { try { return statSync(file).isFile(); } catch { return false; } })();
    // Cross-origin isolation: the page gets SharedArrayBuffer (COOP + COEP); every response is same-origin.
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    response.setHeader('Cache-Control', 'no-store');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (!found) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
    } else {
      response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(request.method === 'HEAD' ? undefined : readFileSync(file));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const bound = server.address();
      resolve({ server, address: `http://127.0.0.1:${typeof bound === 'object' && bound ? bound.port : port}/` });
    });
  });
}

const FLAGS = {
  port: { kind: 'int', default: 8080, min: 0, max: 65535, help: 'port on 127.0.0.1 (0: any free port)' },
  buildOnly: { kind: 'bool', default: false, help: 'write out/playground/ and exit without serving' },
} as const;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { flags, help } = parseArgs('playground', FLAGS, process.argv.slice(2));
    if (help) {
      console.log(formatHelp('npm run playground -- [flags]', 'Builds the playground page and serves it, cross-origin isolated, on 127.0.0.1.', FLAGS));
    } else {
      await buildPlayground();
      if (flags.buildOnly) {
        console.log(`wrote ${PLAYGROUND_DIR}/index.html and playground.js (serve them with COOP/COEP headers for the WebAssembly kernel)`);
      } else {
        const { address } = await servePlayground(flags.port);
        console.log(`lsgrad playground: ${address}  (Ctrl-C stops it)`);
      }
    }
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
