// The assertions shared by the child-process mode tests.
import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import type { ModeRun } from './spawn-mode.js';

export function assertModeRun(test: Test, run: ModeRun, mode: string, kernelClass: string): void {
  test(`${mode}: the child started and gpu.js ran ${kernelClass}`, () => {
    assert.is(run.error, undefined, run.error);
    assert.is(run.mode, mode);
    assert.is(run.kernelClass, kernelClass);
    // The adapter names what really ran the kernels (a software GL or Dawn adapter here, the GPU on a GPU machine).
    assert.type(run.adapter, 'string');
    assert.ok(run.adapter!.length > 0, 'the backend did not say which adapter ran its kernels');
  });
  test(`${mode}: float32 results stay on the device until read`, () => {
    assert.ok(run.residency?.resident, run.residency?.detail ?? 'no residency check ran');
  });
  test(`${mode}: op table, LSG attention and the ALBERT step match the CPU backend`, () => {
    const failures = (run.results ?? []).filter((r) => !r.ok);
    assert.ok((run.results ?? []).length > 60, `only ${(run.results ?? []).length} cases ran`);
    assert.equal(failures.map((f) => `${f.name}: ${f.message}`), []);
  });
  test(`${mode}: 200 tiny-MLP steps leave the live-buffer count flat, and the loss falls`, () => {
    const leak = run.leak;
    assert.ok(leak, 'no leak run');
    const counts = leak!.liveAfterEachStep;
    // NOTE: never above the first step's count (garbage from earlier tests may be collected meanwhile, so it can drop).
    assert.ok(Math.max(...counts) <= counts[0]!, `live buffers went from ${counts[0]} to ${counts[counts.length - 1]} (max ${Math.max(...counts)})`);
    assert.ok(leak!.lastLoss < leak!.firstLoss, `loss ${leak!.firstLoss} → ${leak!.lastLoss}`);
  });
}
