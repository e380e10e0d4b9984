/**
 * Shows LSG-ALBERT extrapolating: trains a small ALBERT briefly at 512 positions, converts it to
 * LSG-ALBERT with a longer position table (default 4096), and runs one batch of that length
 * forward and backward on the CPU backend, next to the same weights with dense attention.
 * Each measurement runs in its own process so its peak memory (max RSS) is its own.
 *
 *   npx tsx examples/extrapolate.ts [--length 4096] [--block-size 128] [--sparsity-type norm] [--train-steps 100] [--no-dense]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor, createRng } from 'lsgrad';
import { AlbertForMaskedLM } from 'lsgrad/nn';
import { convertAlbertCheckpoint, LSGAlbertForMaskedLM } from 'lsgrad/lsg';
import { trainAlbert } from './train-albert.js';
import { parseProgramArgs } from '../cli/args.js';
import { SPARSITY_TYPES } from '../lsg/config.js';

interface Measurement {
  attention: 'lsg' | 'dense';
  seconds: number;
  peakMiB: number;
  baselineMiB: number;
  loss: number;
}


/** One batch of `length` topic tokens (the training task's distribution), 15% masked. */
function longBatch(length: number) {
  const rng = createRng(42);
  const topic = 5 + 3 * rng.int(9);
  const inputIds = new Int32Array(length);
  const labels = new Int32Array(length).fill(-100);
  for (let i = 0; i < length; i++) {
    inputIds[i] = topic + rng.int(3);
    if (i > 0 && rng.uniform() < 0.15) { labels[i] = inputIds[i]!; inputIds[i] = 4; }
  }
  inputIds[0] = 2;
  return { inputIds: tensor(inputIds, { shape: [1, length], dtype: 'int32' }), labels: tensor(labels, { shape: [1, length], dtype: 'int32' }) };
}

/** Child process: loads the converted checkpoint with one kind of attention and times forward + backward. */
function measure(attention: 'lsg' | 'dense', dir: string, length: number): Measurement {
  const model = attention === 'lsg'
    ? LSGAlbertForMaskedLM.fromPretrained(dir)
    // The same weights with dense attention: the LSG-only global table is left out.
    : AlbertForMaskedLM.fromPretrained(dir, { strict: false });
  const batch = longBatch(length);
  const baselineMiB = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const { loss } = model.forward(batch);
  loss!.backward();
  const seconds = (performance.now() - started) / 1000;
  return { attention, seconds, peakMiB: process.resourceUsage().maxRSS / 1024, baselineMiB, loss: loss!.item() };
}

function runChild(attention: 'lsg' | 'dense', dir: string, length: number): Measurement {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--measure', attention, '--dir', dir, '--length', String(length)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`extrapolate: the ${attention} run failed (status ${child.status}):\n${child.stderr}`);
  return JSON.parse(line) as Measurement;
}

export function extrapolate({ length = 4096, blockSize = 128, sparsityType = 'norm', trainSteps = 100, dense = true, log = console.log } = {}): Measurement[] {
  const work = mkdtempSync(join(tmpdir(), 'lsgrad-extrapolate-'));
  try {
    log(`training a small ALBERT (512 positions) for ${trainSteps} steps at 64 tokens…`);
    const { model, last } = trainAlbert({ steps: trainSteps, seqLength: 64, batch: 8, config: { maxPositionEmbeddings: 512 }, log: () => {} });
    log(`  masked-LM loss after training: ${last.toFixed(3)}`);
    model.savePretrained(join(work, 'dense'));
    const { config } = convertAlbertCheckpoint(join(work, 'dense'), join(work, 'lsg'), {
      maxSequenceLength: length, blockSize, sparseBlockSize: blockSize, sparsityFactor: 2, sparsityType, numGlobalTokens: 1,
    });
    log(`converted to LSG-ALBERT: ${config.maxPositionEmbeddings} positions, block ${config.blockSize}, ${config.sparsityType} sparsity ×${config.sparsityFactor}`);
    const results = [runChild('lsg', join(work, 'lsg'), length)];
    if (dense) results.push(runChild('dense', join(work, 'lsg'), length));
    log(`\nbatch 1 × ${length} tokens, forward + backward, CPU backend:`);
    log('attention   time (s)   peak RSS (MiB)   RSS before (MiB)   loss');
    for (const r of results) {
      log(`${r.attention.padEnd(10)}  ${r.seconds.toFixed(2).padStart(8)}   ${r.peakMiB.toFixed(0).padStart(14)}   ${r.baselineMiB.toFixed(0).padStart(16)}   ${r.loss.toFixed(3)}`);
    }
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const invoked = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invoked) {
  const flags = parseProgramArgs('examples/extrapolate.ts', 'Trains a small ALBERT at 512 positions, converts it to LSG-ALBERT and runs one long batch next to dense attention.', {
    length: { kind: 'int', default: 4096, min: 1, help: 'tokens of the long batch' },
    blockSize: { kind: 'int', default: 128, min: 1, help: 'LSG local block size' },
    sparsityType: { kind: 'choice', choices: SPARSITY_TYPES, default: 'norm', help: 'how LSG picks sparse keys' },
    trainSteps: { kind: 'int', default: 100, min: 1, help: 'training steps at 512 positions' },
    dense: { kind: 'bool', default: true, help: 'also measure dense attention (--no-dense to skip)' },
    // Internal: the child process that measures one attention kind on a converted checkpoint.
    measure: { kind: 'choice', choices: ['', 'lsg', 'dense'] as const, default: '', help: 'internal: measure one kind in this process' },
    dir: { kind: 'string', default: '', placeholder: 'DIR', help: 'internal: the converted checkpoint the measuring child loads' },
  });
  if (flags.measure !== '') {
    process.stdout.write(`${JSON.stringify(measure(flags.measure, flags.dir, flags.length))}\n`);
  } else {
    extrapolate({ length: flags.length, blockSize: flags.blockSize, sparsityType: flags.sparsityType, trainSteps: flags.trainSteps, dense: flags.dense });
  }
}
