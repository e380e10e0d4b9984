// The PyTorch comparison's plumbing, without PyTorch: the environment check and the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { speedRatios, torchEnvironment, torchMarkdown, type TorchRow } from '../../bench/torch/compare.js';

test('without LSGRAD_TORCH_ENV the comparison is skipped with a note that says what to set', () => {
  const missing = torchEnvironment({});
  assert.ok('missing' in missing && missing.missing.includes('LSGRAD_TORCH_ENV'));
  const absent = torchEnvironment({ LSGRAD_TORCH_ENV: '/nonexistent/env.sh' });
  assert.ok('missing' in absent && absent.missing.includes('/nonexistent/env.sh'));
  assert.equal(torchEnvironment({ LSGRAD_TORCH_ENV: process.execPath, LSGRAD_TORCH_PYTHON: '/usr/bin/python3' }), { envFile: process.execPath, python: '/usr/bin/python3' });
  const lines = torchMarkdown({ status: 'not-run', note: missing.missing, reps: 5, rows: [] });
  assert.ok(lines.some((line) => line.includes('LSGRAD_TORCH_ENV')));
});

test('ratios are PyTorch time over lsgrad time, and a failed side shows its note', () => {
  const side = (ms: number, cpu: number) => ({ medianMs: ms, medianCpuMs: cpu, wallMs: [ms], cpuMs: [cpu] });
  const row: TorchRow = { workload: 'lsg-b32', label: 'LSG b32', threads: 1, torch: side(100, 80), lsgrad: side(200, 40) };
  assert.equal(speedRatios(row), { wall: 0.5, cpu: 2 });
  const failed: TorchRow = { workload: 'dense', label: 'dense', threads: 2, lsgrad: side(1, 1), note: 'PyTorch: exit 1: ModuleNotFoundError' };
  assert.is(speedRatios(failed), undefined);
  const table = torchMarkdown({ status: 'ok', reps: 1, rows: [row, failed] }).join('\n');
  assert.ok(table.includes('| LSG b32 | 1 | 80 ms | 40 ms | 2.00× | 100 ms | 200 ms | 0.50× |'), table);
  assert.ok(table.includes('ModuleNotFoundError'));
});

test.run();
