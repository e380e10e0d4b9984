import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConvert } from '../../cli/convert.js';
import { UsageError } from '../../cli/args.js';
import { ALBERT_FIXTURES } from '../nn/golden-helpers.js';

/** Runs `fn` with process.stdout.write captured. */
async function captureStdout(fn: () => Promise<void>): Promise<string> {
  const original = process.stdout.write.bind(process.stdout);
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { text += String(chunk); return true; }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  return text;
}

test('lsgrad convert --help lists the flags', async () => {
  const help = await captureStdout(() => runConvert(['--help']));
  for (const flag of ['--max-sequence-length', '--sparsity-type', '--block-size', '--num-global-tokens', '--global-positional-stride']) assert.ok(help.includes(flag), flag);
});

test('lsgrad convert writes an LSG checkpoint with the given settings', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lsgrad-cli-'));
  try {
    const summary = await captureStdout(() => runConvert([`${ALBERT_FIXTURES}dense_mlm_t48`, out, '--max-sequence-length', '2048', '--sparsity-type', 'pooling', '--block-size', '32', '--sparsity-factor', '4', '--num-global-tokens', '2']));
    assert.match(summary, /LSGAlbertForMaskedLM, max length 2048, block 32, sparse block 128, sparsity pooling ×4, 2 global token/);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.is(config.max_position_embeddings, 2048);
    assert.is(config.sparsity_type, 'pooling');
    assert.is(config.num_global_tokens, 2);
    assert.equal(config.architectures, ['LSGAlbertForMaskedLM']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('bad command lines are usage errors naming the problem', async () => {
  await runConvert(['only-one']).then(() => assert.unreachable(), (error) => { assert.instance(error, UsageError); assert.match(error.message, /expected <in-dir> <out-dir>/); });
  await runConvert(['a', 'b', '--sparsity-type', 'fancy']).then(() => assert.unreachable(), (error) => assert.match(error.message, /--sparsity-type "fancy" is invalid/));
  await runConvert(['/nonexistent', '/tmp/x']).then(() => assert.unreachable(), (error) => assert.match(error.message, /no config.json in \/nonexistent/));
  await runConvert([`${ALBERT_FIXTURES}dense_mlm_t48`, '/tmp/never', '--architecture', 'BertModel']).then(() => assert.unreachable(), (error) => assert.match(error.message, /architecture "BertModel" is invalid/));
});

test.run();
