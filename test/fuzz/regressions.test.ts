// One test per problem the fuzz suites found, with the smallest input that showed it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as E from '../../engine/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, CheckpointError, ConfigError, LsgradError, ShapeError, tensor } from '../../engine/index.js';

function throwsKind(kind: new (...args: never[]) => Error, fn: () => unknown, fragment: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, kind, `${(error as Error).name}: ${(error as Error).message}`);
    assert.ok((error as Error).message.includes(fragment), `"${(error as Error).message}" should contain "${fragment}"`);
    return;
  }
  assert.unreachable(`expected a ${kind.name} with "${fragment}"`);
}

test('cat of scalars was accepted with shape [NaN]; now a ShapeError', () => {
  throwsKind(ShapeError, () => E.cat([tensor(1), tensor(2)], 0), 'cat: tensors[0].shape [] is invalid');
});

test('gather/indexSelect/scatterAdd out of range threw a bare RangeError from the kernel; now an ArgumentError', () => {
  throwsKind(ArgumentError, () => E.gather(E.zeros([0]), 0, tensor([0], { dtype: 'int32' })), 'gather: index 0 is out of range for axis 0 of size 0');
  throwsKind(ArgumentError, () => E.indexSelect(E.zeros([2]), 0, tensor([2], { dtype: 'int32' })), 'index 2 is out of range');
});

test('cast to an unknown dtype threw "CONSTRUCTORS[dtype] is not a constructor"; now an ArgumentError', () => {
  throwsKind(ArgumentError, () => tensor([1]).cast(-1 as never), 'cast: dtype -1 is invalid; expected one of float32, float64, int32, bool');
});

test('arguments of the wrong kind threw TypeErrors from inside the engine; now typed errors', () => {
  const x = tensor([[1, 2], [3, 4]]);
  const cases: [string, () => unknown][] = [
    ['reshape: shape undefined', () => x.reshape(undefined as never)],
    ['permute: axes undefined', () => x.permute(undefined as never)],
    ['expand: shape NaN', () => x.expand(Number.NaN as never)],
    ['sum: axes null', () => x.sum(null as never)],
    ['crossEntropy: options null', () => E.crossEntropy(x, tensor([0, 1], { dtype: 'int32' }), null as never)],
    ['dropout: options null', () => E.dropout(x, 0.5, null as never)],
    ['variance: options null', () => E.variance(x, 0, null as never)],
    ['topk: options null', () => E.topk(x, 1, null as never)],
    ['ones: options null', () => E.ones([2], null as never)],
    ['rand: options null', () => E.rand([2], null as never)],
    ['zeros: shape [1000000000,1000000000]', () => E.zeros([1e9, 1e9])],
    ['allocate: size Infinity', () => E.arange(null as never, Infinity)],
    ['stack: tensors [1,2]', () => E.stack([1, 2] as never)],
    ['tidy: fn undefined', () => E.tidy(undefined as never)],
    ['noGrad: fn undefined', () => E.noGrad(undefined as never)],
    ['assign: other undefined', () => x.assign(undefined as never)],
    ['toNdarray: t undefined', () => E.toNdarray(undefined as never)],
    ['fromNdarray: nd undefined', () => E.fromNdarray(undefined as never)],
  ];
  for (const [fragment, fn] of cases) throwsKind(LsgradError, fn, fragment);
});

test('reducing a scalar over its axis 0 gave the identity (sum 0, max -Infinity, logSoftmax Infinity); now the scalar itself', () => {
  const x = tensor(3);
  assert.is(x.sum(0).item(), 3);
  assert.is(x.max(0, true).item(), 3);
  assert.is(x.mean(0).item(), 3);
  assert.is(E.logSumExp(x, 0).item(), 3);
  assert.is(E.logSoftmax(x, 0).item(), 0);
  assert.is(E.softmax(x, 0).item(), 1);
  assert.is(x.argmax(0).item(), 0);
  const leaf = tensor(3, { requiresGrad: true });
  leaf.sum(0).backward();
  assert.is(leaf.grad!.item(), 1);
});

test('a run\'s JSON files, hand-edited or truncated, threw a SyntaxError or TypeError; now a CheckpointError naming the file', async () => {
  const { loadClassifier } = await import('../../cli/model.js');
  const { resolveCheckpoint } = await import('../../cli/run-state.js');
  const dir = mkdtempSync(join(tmpdir(), 'lsgrad-regression-'));
  try {
    writeFileSync(join(dir, 'lsgrad_model.json'), '');
    await loadClassifier(dir).then(() => assert.unreachable(), (error) => {
      assert.instance(error, CheckpointError);
      assert.match(error.message, /lsgrad_model.json is not valid JSON/);
    });
    writeFileSync(join(dir, 'lsgrad_model.json'), '{"attention":"sparse"}');
    await loadClassifier(dir).then(() => assert.unreachable(), (error) => assert.match(error.message, /attention is "sparse"; expected one of lsg, dense, local/));
    writeFileSync(join(dir, 'latest-checkpoint.json'), '[]');
    throwsKind(CheckpointError, () => resolveCheckpoint(dir), 'latest-checkpoint.json holds []');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a position table shorter than config.json says threw a plain Error; now a CheckpointError', async () => {
  const { LSGAlbertForSequenceClassification, LsgAlbertConfig } = await import('../../lsg/index.js');
  const { createRng } = await import('../../engine/index.js');
  const model = new LSGAlbertForSequenceClassification(new LsgAlbertConfig({ vocabSize: 20, embeddingSize: 4, hiddenSize: 4, numHiddenLayers: 1, numAttentionHeads: 1, intermediateSize: 8, maxPositionEmbeddings: 16, numLabels: 2, blockSize: 4, sparseBlockSize: 4, sparsityFactor: 2 }), { rng: createRng(0) });
  const files = model.toPretrainedFiles();
  const config = JSON.stringify({ ...JSON.parse(files['config.json']), max_position_embeddings: 512 });
  try {
    LSGAlbertForSequenceClassification.fromPretrained({ 'config.json': config, 'model.safetensors': files['model.safetensors'] });
    assert.unreachable('a 16-row table loaded for max_position_embeddings 512');
  } catch (error) {
    assert.instance(error, CheckpointError);
    assert.match((error as Error).message, /has 16 rows but config.json's max_position_embeddings is 512/);
  }
});

test('an LSG config.json that is not an object threw "Cannot use \'in\' operator"; now a ConfigError', async () => {
  const { LsgAlbertConfig, LsgBertConfig } = await import('../../lsg/index.js');
  for (const json of [0, null, 'x', []]) {
    throwsKind(ConfigError, () => LsgAlbertConfig.fromHfJson(json as never), 'expected a config.json object');
    throwsKind(ConfigError, () => LsgBertConfig.fromHfJson(json as never), 'expected a config.json object');
  }
});

test.run();
