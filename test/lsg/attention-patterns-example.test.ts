// examples/attention-patterns.ts runs with small settings and writes one SVG per sparsity type.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPARSITY_TYPES } from '../../lsg/index.js';

test('writes one SVG per sparsity type', () => {
  const out = mkdtempSync(join(tmpdir(), 'lsg-patterns-'));
  try {
    const root = new URL('../..', import.meta.url).pathname;
    execFileSync(process.execPath, ['--import', 'tsx', 'examples/attention-patterns.ts', '--length', '40', '--block-size', '4', '--factor', '2', '--out', out], { cwd: root });
    assert.equal(readdirSync(out).sort(), SPARSITY_TYPES.map((type) => `${type}.svg`).sort());
    const svg = readFileSync(join(out, 'pooling.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<rect x="\d+" y="\d+" width="5" height="5" fill="#2ca02c"\/>/);   // a pooled column
    // The model's reference layout for blockSize == factor lists local keys twice (drawn in red).
    execFileSync(process.execPath, ['--import', 'tsx', 'examples/attention-patterns.ts', '--model', '--reference-quirks', '--length', '32', '--block-size', '4', '--factor', '4', '--out', out], { cwd: root });
    assert.match(readFileSync(join(out, 'stride.svg'), 'utf8'), /fill="#d62728"/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
