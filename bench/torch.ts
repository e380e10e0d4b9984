// npm run bench:torch [-- --reps 5 --threads 1,2 --workloads lsg-b32,train-step]
// lsgrad next to the reference PyTorch implementation of LSG on the four workloads of
// bench/torch/workloads.ts, in one run (LSGRAD_TORCH_ENV must point at the PyTorch environment;
// docs/benchmarks.md says what it holds). npm run bench runs the same comparison in its report.
import { parseProgramArgs } from '../cli/args.js';
import { runTorchComparison, torchMarkdown } from './torch/compare.js';
import { TORCH_WORKLOADS, type TorchWorkload } from './torch/workloads.js';

const flags = parseProgramArgs('bench/torch.ts', 'lsgrad against the reference PyTorch implementation of LSG, in one run.', {
  reps: { kind: 'int', default: 5, min: 1, help: 'timed runs per side and cell, after one warm-up run' },
  threads: { kind: 'ints', default: [1, 2], min: 1, help: 'thread counts, the same on both sides' },
  workloads: { kind: 'list', default: [...TORCH_WORKLOADS], placeholder: 'NAME,NAME', help: `which of ${TORCH_WORKLOADS.join(', ')}` },
  cap: { kind: 'int', default: 600, min: 1, help: 'wall-clock cap of one side of one cell, in seconds' },
}, process.argv.slice(2), 'npm run bench:torch -- [options]');
const unknown = flags.workloads.filter((name) => !(TORCH_WORKLOADS as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`bench:torch: --workloads ${unknown.join(',')} is unknown; expected names from ${TORCH_WORKLOADS.join(', ')}`);
const report = await runTorchComparison({
  threads: flags.threads, reps: flags.reps, workloads: flags.workloads as TorchWorkload[], capSeconds: flags.cap,
  log: (line) => process.stderr.write(`${line}\n`),
});
console.log(torchMarkdown(report).join('\n'));
