// The playground's computations in Node: the explorer's counts and classes, and checkpoint files picked renamed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explorePattern, PATTERN_DEFAULTS } from '../../examples/playground/pattern.js';
import { readPretrainedFiles, type PickedFile } from '../../examples/playground/checkpoint-files.js';

test('none: each token query sees the global token and its local window of three blocks (two at the edges)', () => {
  const result = explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'none', seqLen: 128, blockSize: 16 });
  // 8 blocks: the 2 edge blocks see 32 tokens, the 6 inner ones 48; plus 1 global key each.
  assert.is(result.keysPerQuery.mean, 1 + (2 * 32 + 6 * 48) / 8);
  assert.is(result.keysPerQuery.min, 33);
  assert.is(result.keysPerQuery.max, 49);
  assert.is(result.cells.sparse, 0);
  assert.is(result.cells.masked, 0);
  // The global row sees all 129 keys; every token row sees the global column.
  assert.is(result.cells.global, 129 + 128);
  assert.is(result.cells.local, 128 * (result.keysPerQuery.mean - 1));
  assert.is(result.dense.scoreEntries, 128 * 128);
  assert.ok(result.lsg.flops < result.dense.flops);
});

test('stride adds sparseBlockSize sparse keys on each side where there is room; causal and mask-first-token mask keys', () => {
  const none = explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'none' });
  const stride = explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'stride' });
  assert.ok(stride.keysPerQuery.mean > none.keysPerQuery.mean);
  assert.ok(stride.keysPerQuery.max <= none.keysPerQuery.max + 2 * PATTERN_DEFAULTS.sparseBlockSize);
  assert.ok(stride.cells.sparse > 0);
  assert.not.ok(stride.dataDependent);
  assert.ok(explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'norm' }).dataDependent);
  const masked = explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'stride', causal: true, maskFirstToken: true });
  assert.ok(masked.cells.masked > 0);
  assert.ok(masked.keysPerQuery.mean < stride.keysPerQuery.mean);
  assert.match(masked.svg, /causal, first token masked/);
});

test('pooled types draw their pooled tokens as extra sparse columns; short inputs are dense', () => {
  const pooling = explorePattern({ ...PATTERN_DEFAULTS, sparsityType: 'pooling' });
  assert.match(pooling.svg, /the last 32 columns are pooled sparse tokens, one per 4 tokens/);
  const short = explorePattern({ ...PATTERN_DEFAULTS, seqLen: 32 });
  assert.ok(short.isShort);
  assert.is(short.keysPerQuery.min, 33);
});

test('invalid settings throw the library\'s own error, or name the explorer\'s bound', () => {
  assert.throws(() => explorePattern({ ...PATTERN_DEFAULTS, sparsityFactor: 3 }), /createLsgConfig: sparsityFactor 3 is invalid; expected a divisor of blockSize 16/);
  assert.throws(() => explorePattern({ ...PATTERN_DEFAULTS, seqLen: 4096 }), /explorePattern: seqLen 4096 is invalid; expected an integer from 2 to 1024/);
  assert.throws(() => explorePattern({ ...PATTERN_DEFAULTS, head: 4 }), /explorePattern: head 4 is invalid; expected an integer from 0 to 3/);
});

const picked = (name: string, text: string): PickedFile => ({
  name, text: async () => text, arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer,
});

test('checkpoint files are matched by extension, renamed or not, the tokenizer\'s by name; anything else is refused by name', async () => {
  const files = await readPretrainedFiles('email classifier', [picked('model (1).safetensors', 'WEIGHTS'), picked('config (1).json', '{}')]);
  assert.is(files['config.json'], '{}');
  assert.is(new TextDecoder().decode(files['model.safetensors']), 'WEIGHTS');
  const error = await readPretrainedFiles('email classifier', [picked('config.json', '{}'), picked('notes.txt', '')]).catch((e: Error) => e.message);
  assert.is(error, 'email classifier: picked config.json, notes.txt; expected config.json and model.safetensors of one checkpoint, renamed or not (tokenizer files may come along)');
  // A whole checkpoint folder of lsgrad train: tokenizer.json and tokenizer_config.json come along, renamed or not.
  const folder = await readPretrainedFiles('email classifier', ['tokenizer (2).json', 'config (3).json', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors'].map((name) => picked(name, name)));
  assert.is(folder['config.json'], 'config (3).json');
  assert.is(folder['tokenizer.json'], 'tokenizer (2).json');
  assert.is(folder['tokenizer_config.json'], 'tokenizer_config.json');
  assert.equal(Object.keys(folder).sort(), ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
  // Two downloads of tokenizer.json: which is this checkpoint's is not for the page to guess.
  const twice = await readPretrainedFiles('email classifier', ['tokenizer.json', 'tokenizer (1).json', 'config.json', 'model.safetensors'].map((name) => picked(name, name))).catch((e: Error) => e.message);
  assert.is(twice, 'email classifier: picked tokenizer.json, tokenizer (1).json; expected at most one tokenizer.json, the one beside config.json');
});

test.run();
