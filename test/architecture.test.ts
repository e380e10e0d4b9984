// The dependency rules of docs/architecture.md, checked on the import lines of every source file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(new URL('..', import.meta.url).pathname);

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'fixtures' ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports: project paths relative to the root, packages by name. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return specifiers.map((s) => (s.startsWith('.') ? relative(root, resolve(root, dirname(file), s)).replace(/\.js$/, '.ts') : s));
}

const isPackage = (spec: string) => !spec.includes('/') || spec.startsWith('@') || !/^(engine|backends|nn|lsg|cli|viz|examples|test|bench)\//.test(spec);
const packageName = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

function violations(dir: string, allowed: (file: string, spec: string) => boolean): string[] {
  return sources(dir).flatMap((file) => importsOf(file).filter((spec) => !allowed(file, spec)).map((spec) => `${file} imports ${spec}`));
}

test('engine imports only itself, node builtins, and ndarray in interop.ts; index.ts registers the CPU backend', () => {
  const bad = violations('engine', (file, spec) => {
    if (spec.startsWith('engine/')) return true;
    if (file === 'engine/index.ts' && spec === 'backends/cpu/index.ts') return true;
    if (isPackage(spec)) return spec.startsWith('node:') || (packageName(spec) === 'ndarray' && file === 'engine/interop.ts');
    return false;
  });
  assert.equal(bad, []);
});

test('backends import only the pure engine modules; gpu.js only under backends/gpujs', () => {
  const pure = ['engine/backend.ts', 'engine/shape.ts', 'engine/dtype.ts', 'engine/errors.ts'];
  const bad = violations('backends', (file, spec) => {
    if (pure.includes(spec) || spec.startsWith(dirname(file))) return true;
    if (file.startsWith('backends/gpujs/')) {
      if (spec.startsWith('backends/gpujs/') || spec.startsWith('backends/cpu/')) return true;
      if (isPackage(spec)) return true;
    }
    return isPackage(spec) && spec.startsWith('node:');
  });
  assert.equal(bad, []);
});

test('nn imports only the engine; lsg imports the engine, and only the LSG model classes (lsg/albert.ts, lsg/models/) and lsg/convert.ts also import nn', () => {
  const nnBad = violations('nn', (_file, spec) => spec.startsWith('engine/') || spec.startsWith('nn/') || (isPackage(spec) && spec.startsWith('node:')));
  assert.equal(nnBad, []);
  const lsgBad = violations('lsg', (file, spec) => {
    if (spec.startsWith('engine/') || spec.startsWith('lsg/')) return true;
    if (spec.startsWith('nn/')) return file === 'lsg/albert.ts' || file === 'lsg/convert.ts' || file.startsWith('lsg/albert/') || file.startsWith('lsg/models/');
    return isPackage(spec) && spec.startsWith('node:');
  });
  assert.equal(lsgBad, []);
});

test('gpu.js is imported nowhere but backends/gpujs', () => {
  const everywhere = ['engine', 'nn', 'lsg', 'examples', 'cli', 'viz', 'bench'].flatMap((dir) => {
    try { return sources(dir); } catch { return []; }
  });
  const bad = everywhere.filter((file) => importsOf(file).some((spec) => packageName(spec) === 'gpu.js'));
  assert.equal(bad, []);
});

test('the core bundle (engine, nn, lsg) contains no gpu.js', async () => {
  const result = await build({
    entryPoints: ['engine/index.ts', 'nn/index.ts', 'lsg/index.ts'].filter((p) => { try { return statSync(join(root, p)).isFile(); } catch { return false; } }).map((p) => join(root, p)),
    bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', outdir: join(root, 'dist'), external: ['ndarray'], logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((p) => p.includes('engine/tensor.ts')), 'the bundle should contain the engine');
  assert.equal(inputs.filter((p) => p.includes('gpu.js') || p.includes('backends/gpujs')), []);
});

test.run();
