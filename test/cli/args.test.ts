import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs, formatHelp, UsageError, flagName, type FlagSpecs } from '../../cli/args.js';
import { TRAIN_FLAGS, TRAIN_SECTIONS, crossCheckTrainOptions, implicitLongWarmup, lrFactorOf, stepSeqLen } from '../../cli/train-flags.js';

const SPECS = {
  seqLen: { kind: 'int', default: 128, min: 8, help: 'length' },
  lr: { kind: 'float', default: 0.001, min: 0, help: 'learning rate' },
  attention: { kind: 'choice', choices: ['lsg', 'dense'], default: 'lsg', help: 'kind' },
  out: { kind: 'string', default: 'runs/x', help: 'dir' },
  resume: { kind: 'string', help: 'dir' },
  baseline: { kind: 'bool', default: true, help: 'baseline' },
} as const satisfies FlagSpecs;

test('defaults, --name value, --name=value, booleans, positionals', () => {
  const parsed = parseArgs('t', SPECS, ['--seq-len', '64', '--lr=0.5', 'file.txt', '--no-baseline', '--attention', 'dense']);
  assert.equal(parsed.flags, { seqLen: 64, lr: 0.5, attention: 'dense', out: 'runs/x', resume: undefined, baseline: false });
  assert.equal(parsed.positionals, ['file.txt']);
  assert.is(parsed.help, false);
  assert.is(parseArgs('t', SPECS, ['-h']).help, true);
  assert.is(flagName('numGlobalTokens'), 'num-global-tokens');
});

test('bad values name the flag, the value and what was expected', () => {
  const expectUsage = (argv: string[], pattern: RegExp) => {
    try { parseArgs('lsgrad train', SPECS, argv); assert.unreachable(`no error for ${argv.join(' ')}`); }
    catch (error) { assert.instance(error, UsageError); assert.match((error as Error).message, pattern); }
  };
  expectUsage(['--seq-len', 'abc'], /--seq-len "abc" is invalid; expected an integer >= 8/);
  expectUsage(['--seq-len', '4'], /--seq-len "4" is invalid/);
  expectUsage(['--seq-len', '8.5'], /expected an integer/);
  expectUsage(['--attention', 'sparse'], /expected one of lsg, dense/);
  expectUsage(['--seq-lem', '8'], /unknown flag --seq-lem; did you mean --seq-len\?/);
  expectUsage(['--lr'], /--lr needs a value/);
  expectUsage(['-x'], /unknown option -x/);
});

test('lists, integer lists, -- before dashed positionals, and which flags were given', () => {
  const specs = {
    parts: { kind: 'list', default: ['head'], choices: ['global', 'head', 'embeddings'], help: 'parts' },
    lengths: { kind: 'ints', default: [], min: 1, help: 'lengths' },
    shift: { kind: 'int', default: 0, help: 'shift' },
  } as const satisfies FlagSpecs;
  const parsed = parseArgs('t', specs, ['--parts', 'global,head', '--lengths=8,16', '--shift', '-3', '--', '-file']);
  assert.equal(parsed.flags, { parts: ['global', 'head'], lengths: [8, 16], shift: -3 });
  assert.equal(parsed.positionals, ['-file']);
  assert.equal([...parsed.given].sort(), ['lengths', 'parts', 'shift']);
  assert.equal(parseArgs('t', specs, []).flags.parts, ['head']);
  assert.throws(() => parseArgs('t', specs, ['--parts', 'global,body']), /--parts "global,body" is invalid; expected names separated by commas, each one of global, head, embeddings/);
  assert.throws(() => parseArgs('t', specs, ['--lengths', '8,0']), /--lengths "8,0" is invalid; expected integers >= 1 separated by commas/);
  assert.throws(() => parseArgs('t', specs, ['--shift', '--parts', 'head']), /--shift needs a value/);
});

test('help lists every train flag with its default', () => {
  const help = formatHelp('lsgrad train [options]', 'Train.', TRAIN_FLAGS, TRAIN_SECTIONS);
  for (const key of Object.keys(TRAIN_FLAGS)) assert.ok(help.includes(`--${flagName(key)}`), `missing --${flagName(key)}`);
  assert.match(help, /--seq-len N\s+.*\(default: 4096\)/);
  const sectioned = Object.values(TRAIN_SECTIONS).flat();
  assert.equal([...sectioned].sort(), Object.keys(TRAIN_FLAGS).sort());
});

test('cross-flag checks', () => {
  const defaults = parseArgs('t', TRAIN_FLAGS, []).flags;
  assert.equal(crossCheckTrainOptions(defaults), []);
  const problems = crossCheckTrainOptions({ ...defaults, hiddenSize: 30, heads: 4 });
  assert.match(problems[0] ?? '', /--heads 4 does not divide --hidden-size 30/);
});

test('the sequence-length warm-up: short steps first, the last --long-steps at --seq-len', () => {
  const options = { seqLen: 4096, shortSeqLen: 256, longSteps: 60, steps: 900 };
  assert.equal([1, 840, 841, 900].map((step) => stepSeqLen(options, step)), [256, 256, 4096, 4096]);
  assert.is(stepSeqLen({ ...options, shortSeqLen: 0 }, 1), 4096);          // off
  assert.is(stepSeqLen({ ...options, seqLen: 128 }, 1), 128);               // never longer than --seq-len
  assert.is(stepSeqLen({ ...options, steps: 40 }, 1), 4096);                // fewer steps than --long-steps: all long
});

test('--long-warmup gives the full-length steps their own warmup and decay', () => {
  const options = { seqLen: 4096, shortSeqLen: 256, longSteps: 60, steps: 900, warmup: 50, longWarmup: 0 };
  const close = (actual: number[], expected: number[]) => actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-12, `${actual} vs ${expected}`));
  // One schedule: the long steps sit at the tail of the decay.
  close([25, 50, 841, 900].map(lrFactorOf(options)), [0.5, 1, 59 / 850, 0]);
  const restarted = lrFactorOf({ ...options, longWarmup: 6 });
  close([25, 50, 445, 840, 843, 846, 900].map(restarted), [0.5, 1, 0.5, 0, 0.5, 1, 0]);
  close([1, 450].map(lrFactorOf({ ...options, shortSeqLen: 0, longWarmup: 6 })), [1 / 50, 1 - 400 / 850]);  // no warm-up: one schedule
  const problems = crossCheckTrainOptions({ ...parseArgs('train', TRAIN_FLAGS, []).flags, longWarmup: 281 });
  assert.ok(problems.some((problem) => problem.includes('--long-warmup 281')), problems.join('; '));
});

test('--long-warmup, when not given, is 10 where the run\'s phases fit it, else the single schedule', () => {
  const defaults = parseArgs('train', TRAIN_FLAGS, []).flags;
  assert.is(implicitLongWarmup(defaults), 10);
  assert.is(implicitLongWarmup({ ...defaults, steps: 6, longSteps: 4, warmup: 1 }), 0);      // 4 long steps < 10
  assert.is(implicitLongWarmup({ ...defaults, steps: 150 }), 0);                             // --warmup 50 > 30 short steps
  assert.is(implicitLongWarmup({ ...defaults, shortSeqLen: 0 }), 0);                         // no warm-up
});

test.run();
