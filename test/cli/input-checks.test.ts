// The CLI refuses bad input before any work, in the flags' own words; `lsgrad convert` keeps an LSG
// checkpoint's settings; `lsgrad train` skips non-finite steps and stops a diverged run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const TINY = [
  '--seq-len', '64', '--short-seq-len', '0', '--limit', '8', '--eval-limit', '4', '--test-limit', '4',
  '--batch-size', '2', '--warmup', '0', '--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--heads', '2',
  '--block-size', '16', '--sparse-block-size', '8', '--sparsity-factor', '2', '--num-global-tokens', '2', '--no-baseline', '--quiet',
];
const root = mkdtempSync(join(tmpdir(), 'lsgrad-input-checks-'));

const cli = runCli;

test('train: attention settings the model would refuse are usage errors in flag names, before the data is read', async () => {
  const started = performance.now();
  const blockSeven = await cli(['train', '--block-size', '7']);
  assert.is(blockSeven.status, 2);
  assert.match(blockSeven.stderr, /--sparsity-factor 4 is invalid with --attention lsg; expected a divisor of --block-size 7/);
  assert.not.match(blockSeven.stderr, /createLsgConfig|sparsityFactor|blockSize/);
  assert.not.match(blockSeven.stderr, /^data:/m, 'nothing is loaded before the check');
  const chunk = await cli(['train', '--block-size', '32', '--sparse-block-size', '12', '--sparsity-factor', '4']);
  assert.is(chunk.status, 2);
  assert.match(chunk.stderr, /--sparse-block-size 12 is invalid .*min\(--block-size, --sparse-block-size\) = 12 divides --block-size 32/);
  const globals = await cli(['train', '--num-global-tokens', '600']);
  assert.match(globals.stderr, /--num-global-tokens 600 is invalid/);
  // Local attention has no sparse part: its sparsity flags do not matter.
  const local = await cli(['train', '--attention', 'local', '--block-size', '7', '--heads', '3']);
  assert.is(local.status, 2);
  assert.match(local.stderr, /--heads 3 does not divide --hidden-size 64/);
  assert.not.match(local.stderr, /sparsity/);
  // Several problems are reported together.
  assert.match((await cli(['train', '--block-size', '7', '--heads', '3'])).stderr, /--heads 3 .*; --sparsity-factor 4/);
  assert.ok(performance.now() - started < 60_000);
});

test('train: --init and --resume problems are reported before any work', async () => {
  const missing = await cli(['train', '--init', join(root, 'nowhere')]);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /--init .*nowhere: .*holds neither a checkpoint/);
  const notACheckpoint = join(root, 'not-a-checkpoint');
  mkdirSync(notACheckpoint);
  writeFileSync(join(notACheckpoint, 'config.json'), '{}');
  const incomplete = await cli(['train', '--init', notACheckpoint]);
  assert.is(incomplete.status, 2);
  assert.match(incomplete.stderr, /has no model.safetensors; expected a HuggingFace-layout ALBERT or LSG-ALBERT checkpoint/);
  const resumeWithFlags = await cli(['train', '--resume', join(root, 'run'), '--lr', '0.1', '--no-baseline']);
  assert.is(resumeWithFlags.status, 2);
  assert.match(resumeWithFlags.stderr, /--resume continues a run with its saved options; --lr, --baseline cannot change them/);
});

test('predict: a missing, empty or directory email is a usage error naming it', async () => {
  const run = join(root, 'nowhere-run');
  const missing = await cli(['predict', run, join(root, 'mail.eml')]);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /lsgrad predict: document file ".*mail.eml" does not exist; expected a text file/);
  assert.not.match(missing.stderr, /ENOENT/);
  const empty = join(root, 'empty.eml');
  writeFileSync(empty, '');
  assert.match((await cli(['predict', run, empty])).stderr, /document ".*empty.eml" is empty \(0 bytes\)/);
  assert.match((await cli(['predict', run, root])).stderr, /is a directory/);
});

test('train skips non-finite steps, and stops a diverged run after several in a row with its last good checkpoint', async () => {
  const out = join(root, 'diverged');
  // lr 1e30 sends the weights to ~1e30 on step 1: from step 2 on every loss overflows.
  const result = await cli(['train', ...TINY, '--steps', '12', '--lr', '1e30', '--clip-norm', '0', '--checkpoint-every', '1', '--eval-every', '0', '--threads', '1', '--out', out]);
  assert.is(result.status, 1);
  for (let step = 2; step <= 6; step++) assert.match(result.stderr, new RegExp(`step ${step} skipped: loss (NaN|Infinity|-Infinity)`));
  assert.match(result.stderr, /stopped at step 6: 5 steps in a row \(2–6\) had a non-finite loss or gradient.*last good checkpoint is .*step-000001.*--lr \(now 1e\+30\)/s);
  assert.ok(existsSync(join(out, 'checkpoints', 'step-000001', 'model.safetensors')));
  assert.not.ok(existsSync(join(out, 'checkpoints', 'step-000002')), 'no checkpoint after a skipped step');
  assert.is(JSON.parse(readFileSync(join(out, 'latest-checkpoint.json'), 'utf8')).step, 1);
});

test('convert keeps an LSG checkpoint\'s settings unless flags override them, and its output predicts', async () => {
  const run = join(root, 'lsg-run');
  assert.is((await cli(['train', ...TINY, '--steps', '1', '--threads', '1', '--out', run])).status, 0);
  const checkpoint = join(run, 'checkpoints', 'step-000001');
  const converted = join(root, 'converted');
  const summary = await cli(['convert', checkpoint, converted, '--max-sequence-length', '256']);
  assert.is(summary.status, 0, summary.stderr);
  assert.match(summary.stdout, /max length 256, block 16, sparse block 8, sparsity norm ×2, 2 global token\(s\), lsgrad_model.json updated/);
  const config = JSON.parse(readFileSync(join(converted, 'config.json'), 'utf8'));
  assert.equal([config.block_size, config.sparse_block_size, config.sparsity_factor, config.num_global_tokens, config.max_position_embeddings], [16, 8, 2, 2, 256]);
  const meta = JSON.parse(readFileSync(join(converted, 'lsgrad_model.json'), 'utf8'));
  assert.equal([meta.attention, meta.blockSize, meta.sparseBlockSize, meta.sparsityFactor, meta.seqLen], ['lsg', 16, 8, 2, 256]);
  // The trained global tokens are kept, not re-initialised.
  const email = join(root, 'mail.txt');
  writeFileSync(email, 'Subject: hello\n\nSee you at lunch.\n');
  const predicted = await cli(['predict', converted, email, '--json']);
  assert.is(predicted.status, 0, predicted.stderr);
  assert.ok(['spam', 'ham'].includes(JSON.parse(predicted.stdout).label));
  // A flag given on the command line replaces the checkpoint's value; the others stay.
  const overridden = join(root, 'overridden');
  assert.match((await cli(['convert', checkpoint, overridden, '--block-size', '32'])).stdout, /block 32, sparse block 8, sparsity norm ×2, 2 global token/);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
