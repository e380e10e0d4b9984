// End to end: `lsgrad train` on a tiny configuration, then an interrupted run (--stop-at) resumed
// with --resume must give exactly the losses of the uninterrupted run; eval and predict read its output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/lsgrad.js';
import { useBackend } from '../../engine/index.js';
import { parseSafetensors } from '../../nn/safetensors.js';

const TINY = [
  '--seq-len', '96', '--short-seq-len', '48', '--long-steps', '4', '--limit', '48', '--eval-limit', '16', '--test-limit', '16',
  '--steps', '6', '--batch-size', '2', '--warmup', '1', '--eval-every', '3', '--checkpoint-every', '3',
  '--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--heads', '2',
  '--block-size', '16', '--sparse-block-size', '16', '--sparsity-factor', '4', '--dropout', '0.1', '--quiet',
];
const root = mkdtempSync(join(tmpdir(), 'lsgrad-train-'));

/** Runs the CLI in-process with stdout captured (stderr carries the log). */
async function cli(argv: string[]): Promise<{ status: number; stdout: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const quietErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => { chunks.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { status: await main(argv), stdout: chunks.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = quietErr;
  }
}

const losses = (dir: string): number[] => JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')).losses;

test('a tiny uninterrupted run writes checkpoints, metrics and pictures', async () => {
  const out = join(root, 'full');
  const { status } = await cli(['train', ...TINY, '--out', out]);
  assert.is(status, 0);
  for (const file of ['metrics.json', 'curves.svg', 'attention.svg', 'attention-start.svg', 'run.json', 'latest-checkpoint.json',
    'checkpoints/step-000003/model.safetensors', 'checkpoints/step-000003/optimizer.safetensors', 'checkpoints/step-000006/config.json']) {
    assert.ok(existsSync(join(out, file)), `missing ${file}`);
  }
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.is(metrics.losses.length, 6);
  // Steps 1–2 read 48 tokens per email (--short-seq-len), the last 4 (--long-steps) all 96: 2 × 2 × 48 + 4 × 2 × 96.
  const state = JSON.parse(readFileSync(join(out, 'checkpoints/step-000006/trainer_state.json'), 'utf8'));
  assert.is(state.trainTokens, 960);
  assert.is(metrics.test.count, 16);
  assert.is(metrics.validations.length, 2);
  assert.ok(metrics.baseline.test.accuracy > 0.5);
  assert.match(readFileSync(join(out, 'attention.svg'), 'utf8'), /^<svg/);
});

test('--stop-at then --resume reproduces the uninterrupted losses exactly (dropout on)', async () => {
  const out = join(root, 'resumed');
  assert.is((await cli(['train', ...TINY, '--out', out, '--stop-at', '3'])).status, 0);
  assert.not.ok(existsSync(join(out, 'metrics.json')), 'a stopped run writes no final metrics');
  assert.is((await cli(['train', '--resume', out, '--quiet'])).status, 0);
  assert.equal(losses(out), losses(join(root, 'full')));
});

/** Trains TINY with `flags` twice, straight through and stopped at `stopAt` then resumed: the losses must match. Returns them. */
async function resumedLossesMatch(name: string, flags: string[], stopAt: number): Promise<number[]> {
  const full = join(root, `${name}-full`);
  const resumed = join(root, `${name}-resumed`);
  assert.is((await cli(['train', ...TINY, ...flags, '--out', full])).status, 0);
  assert.is((await cli(['train', ...TINY, ...flags, '--out', resumed, '--stop-at', String(stopAt)])).status, 0);
  assert.is((await cli(['train', '--resume', resumed, '--quiet'])).status, 0);
  assert.equal(losses(resumed), losses(full));
  return losses(full);
}

test('--crop-prob changes what the steps read, and --resume still repeats the uninterrupted losses', async () => {
  const cropped = await resumedLossesMatch('cropped', ['--crop-prob', '0.5', '--no-baseline'], 4);
  assert.not.equal(cropped, losses(join(root, 'full')));
  assert.is((await cli(['train', ...TINY, '--crop-prob', '2'])).status, 2);
});

test('--short-windows changes what the warm-up steps read, and --resume repeats it', async () => {
  const windowed = await resumedLossesMatch('windows', ['--short-windows', '1', '--no-baseline'], 1);
  // Step 1 reads other tokens at other positions than the plain run's step 1.
  assert.is.not(windowed[0], losses(join(root, 'full'))[0]);
  assert.is((await cli(['train', ...TINY, '--short-windows', '0.5', '--short-seq-len', '0'])).status, 2);
});

test('--init starts a fresh run from a checkpoint\'s weights (lr 0 keeps them), and refuses a model of another shape', async () => {
  const out = join(root, 'init');
  const start = ['--short-seq-len', '0', '--steps', '1', '--lr', '0', '--out', out, '--init', join(root, 'full')];
  assert.is((await cli(['train', ...TINY, ...start])).status, 0);
  const weights = (dir: string) => parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  const [initial, finished] = [weights(join(root, 'full', 'checkpoints/step-000006')), weights(join(out, 'checkpoints/step-000001'))];
  assert.equal([...finished.tensors.keys()].sort(), [...initial.tensors.keys()].sort());
  for (const [name, entry] of initial.tensors) assert.equal(Array.from(finished.tensors.get(name)!.data), Array.from(entry.data), name);
  assert.is((await cli(['train', ...TINY, ...start, '--hidden-size', '32', '--out', join(root, 'init-wrong')])).status, 2);
});

test('eval and predict read a run directory', async () => {
  const out = join(root, 'full');
  const evaluated = await cli(['eval', out, '--limit', '8', '--json']);
  assert.is(evaluated.status, 0);
  assert.is(JSON.parse(evaluated.stdout).count, 8);
  const withErrors = JSON.parse((await cli(['eval', out, '--limit', '8', '--json', '--errors'])).stdout);
  const groupCount = withErrors.groups.reduce((total: number, g: { count: number }) => total + g.count, 0);
  assert.is(groupCount, 8);
  assert.is(withErrors.errors.length, Math.round(8 * (1 - withErrors.accuracy)));
  assert.match((await cli(['eval', out, '--limit', '8', '--errors'])).stdout, /accuracy by group:\n  \S+ +\d+\.\d%/);
  const bodies = JSON.parse((await cli(['eval', out, '--limit', '8', '--json', '--skip-headers', '--errors'])).stdout);
  assert.is(bodies.skipHeaders, true);
  assert.is(bodies.count, 8);
  assert.match((await cli(['eval', out, '--limit', '8', '--skip-headers'])).stdout, /8 documents, 96 tokens of their bodies/);
  const email = join(root, 'email.txt');
  writeFileSync(email, 'From: someone@example.com\nSubject: FREE money!!!\n\nClick here to claim your prize.\n');
  const predicted = await cli(['predict', out, email, '--json']);
  assert.is(predicted.status, 0);
  const answer = JSON.parse(predicted.stdout);
  assert.ok(answer.label === 'spam' || answer.label === 'ham');
  assert.ok(answer.probabilities.spam >= 0 && answer.probabilities.spam <= 1);
  assert.ok(Math.abs(answer.probabilities.spam + answer.probabilities.ham - 1) < 1e-9);
  // The same prediction on gpu.js (its cpu mode runs anywhere); --gpujs-mode picks the mode.
  try {
    const onGpuJs = await cli(['predict', out, email, '--json', '--backend', 'gpujs', '--gpujs-mode', 'cpu']);
    assert.is(onGpuJs.status, 0);
    assert.ok(Math.abs(JSON.parse(onGpuJs.stdout).probabilities.spam - answer.probabilities.spam) < 1e-4);
  } finally {
    useBackend('cpu');
  }
});

test('bad usage exits 2 with a clear message', async () => {
  assert.is((await cli(['train', '--seq-len', 'long'])).status, 2);
  assert.is((await cli(['train', '--heads', '3'])).status, 2); // 64 % 3 != 0
  assert.is((await cli(['train', '--short-seq-len', '4'])).status, 2);
  assert.is((await cli(['eval'])).status, 2);
  assert.is((await cli(['predict', 'x', '-', '--gpujs-mode', 'metal'])).status, 2);
  assert.is((await cli(['frobnicate'])).status, 2);
  assert.match((await cli(['train', '--help'])).stdout, /--sparsity-type/);
  assert.match((await cli(['convert', '--help'])).stdout, /max-sequence-length/); // dispatched to cli/convert.ts
  assert.match((await cli(['--help'])).stdout, /train.*\n.*eval.*\n.*predict.*\n.*pretrain.*\n.*fill-mask.*\n.*convert/);
});

test.run();
