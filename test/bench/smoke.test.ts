// The benchmark suite end to end in its smoke configuration (dense, one LSG row and tfjs-wasm at
// 128 and 256 tokens, one run each, model rows at 128): checks the files and their shape, not times.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scalingExponent, median } from '../../bench/stats.js';
import { parseArgs } from '../../bench/index-args.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('median and scaling exponent', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 2, 3]), 2.5);
  assert.ok(Math.abs(scalingExponent([[512, 1], [1024, 4], [2048, 16]]) - 2) < 1e-12);
  assert.ok(Math.abs(scalingExponent([[512, 3], [1024, 6], [4096, 24]]) - 1) < 1e-12);
  assert.ok(Number.isNaN(scalingExponent([[512, 1]])));
});

test('flags: modes, overrides, and unknown flags rejected', () => {
  assert.is(parseArgs([]).settings.mode, 'full');
  assert.equal(parseArgs([]).settings.lengths, [512, 1024, 2048, 4096, 8192]);
  const quick = parseArgs(['--quick', '--lengths', '256,512', '--cap', '30', '--only', 'lsg-b32-norm']).settings;
  assert.equal([quick.mode, quick.lengths, quick.capSeconds, quick.only], ['quick', [256, 512], 30, ['lsg-b32-norm']]);
  assert.throws(() => parseArgs(['--fast']), /unknown flag --fast/);
  assert.throws(() => parseArgs(['--lengths', 'abc']), /--lengths "abc" is invalid; expected integers >= 1 separated by commas/);
});

test('bench:gpujs-profile charges LSG attention and a training step to backend calls (gpu.js cpu mode, tiny)', () => {
  for (const workload of ['stride', 'step']) {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'bench/gpujs-profile.ts', '64', 'cpu', workload], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    assert.match(stdout, /on gpujs cpu \(host CPU\): [\d.]+ ms unprofiled/);
    assert.match(stdout, /\| matmul \| \d+ \| /);
    assert.match(stdout, /host fallbacks/);
  }
});

test('npm run bench -- --smoke writes the tables, JSON and chart', () => {
  const out = mkdtempSync(join(tmpdir(), 'lsgrad-bench-smoke-'));
  try {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--smoke', '--out', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
    for (const heading of ['Attention forward+backward: median time', 'attention buffers', 'Scaling', 'Model', 'Kernels', 'Targets']) {
      assert.ok(stdout.includes(heading), `the printed report should have a "${heading}" section`);
    }
    const report = JSON.parse(readFileSync(join(out, 'smoke.json'), 'utf8'));
    const ids = ['lsgrad-dense', 'lsg-b32-norm', 'tfjs-wasm'];
    assert.equal([...new Set(report.attention.map((r: { implId: string }) => r.implId))], ids);
    assert.is(report.attention.length, ids.length * 2 * 2, 'implementations × lengths × modes');
    for (const row of report.attention) {
      assert.is(row.status, 'ok', `${row.implId} ${row.length} ${row.mode}: ${row.note}`);
      assert.ok(row.result.medianMs > 0 && row.result.allocatedBytes > 0 && row.result.timesMs.length === 1);
      assert.ok(row.speedupVsDense > 0 && row.memoryRatioVsDense > 0);
    }
    // Dense attention at 256 keeps (1, 4, 256, 256) float32 score matrices: 1 MiB each.
    const dense = report.attention.find((r: { implId: string; length: number; mode: string }) => r.implId === 'lsgrad-dense' && r.length === 256 && r.mode === 'forward');
    assert.is(dense.result.largestBufferBytes, 4 * 256 * 256 * 4);
    assert.is(report.scaling.length, ids.length * 2);
    assert.equal(report.model.map((r: { attention: string; status: string }) => `${r.attention} ${r.status}`), ['lsg ok', 'dense ok']);
    assert.ok(report.model.every((r: { result: { extra: { tokensPerSecond: number } } }) => r.result.extra.tokensPerSecond > 0));
    assert.is(report.kernels.status, 'not-run');
    assert.ok(report.targets.length >= 7 && report.targets.every((t: { target: string; met: boolean | null }) => typeof t.target === 'string' && t.met !== undefined));
    const markdown = readFileSync(join(out, 'smoke.md'), 'utf8');
    assert.ok(markdown.includes('| lsgrad dense |') && markdown.includes('| LSG 32/32/4 norm |'));
    const svg = readFileSync(join(out, 'smoke-attention.svg'), 'utf8');
    assert.ok(svg.startsWith('<svg') && (svg.match(/<polyline/g) ?? []).length === 9, 'three panels × three series');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
