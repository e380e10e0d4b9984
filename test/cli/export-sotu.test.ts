// scripts/export-sotu.ts: the era labels follow each address's year; the party export is unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const folder = mkdtempSync(join(tmpdir(), 'lsgrad-sotu-'));

function exportSotu(args: string[]): { text: string; label: string; year: number }[] {
  const out = join(folder, `${args.join('_').replace(/[^a-z0-9]+/gi, '_')}.jsonl`);
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/export-sotu.ts', ...args, '--out', out], { stdio: 'pipe' });
  return readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

test('--label era labels every address by its year, before or from --era-split', () => {
  const rows = exportSotu(['--unit', 'address', '--label', 'era', '--parties', 'all', '--era-split', '1950']);
  assert.is(rows.length, 233);
  for (const row of rows) assert.is(row.label, row.year < 1950 ? 'before 1950' : '1950 on', `year ${row.year}`);
  assert.equal([...new Set(rows.map((row) => row.label))].sort(), ['1950 on', 'before 1950']);
});

test('the default export keeps its party labels (Democratic and Republican only)', () => {
  const rows = exportSotu(['--unit', 'address']);
  assert.equal([...new Set(rows.map((row) => row.label))].sort(), ['Democratic', 'Republican']);
  assert.is(rows.length, 182);
});

test.run();
