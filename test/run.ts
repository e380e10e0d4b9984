// Runs every test/**/*.test.ts in its own process, two at a time (the machine has two cores).
// A file passes when its process exits with code 0 (uvu sets exit code 1 on a failed test; a crash or
// a timeout is non-zero too). The test counts in the summary are read from uvu's report, for display only.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const FILE_TIMEOUT_MS = 8 * 60_000;

function findTests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

interface FileResult { file: string; tests: number; ok: boolean; output: string; seconds: number }

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => { output += `\n(timed out after ${FILE_TIMEOUT_MS / 1000} s)`; child.kill('SIGKILL'); }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) output += `\n(ended by ${signal})`;
      // uvu prints "Total: N" once per suite; shown in the summary, never used to decide.
      const tests = [...output.matchAll(/Total:\s+(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
      resolve({ file: relative(root, file), tests, ok: code === 0, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const filter = process.argv.slice(2);
// Matched against the path from the project root, so that a word in the checkout's own path (a
// folder named after a kernel) does not select every file.
const files = findTests(join(root, 'test')).filter((f) => filter.length === 0 || filter.some((part) => relative(root, f).includes(part))).sort();
const queue = [...files];
const results: FileResult[] = [];
const workers = Math.max(1, Math.min(cpus().length, 2));
await Promise.all(
  Array.from({ length: workers }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const result = await runFile(file);
      results.push(result);
      console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${result.file} (${result.tests} tests, ${result.seconds.toFixed(1)} s)`);
      if (!result.ok) console.log(result.output.split('\n').map((line) => `    ${line}`).join('\n'));
    }
  }),
);
const failed = results.filter((r) => !r.ok);
const tests = results.reduce((s, r) => s + r.tests, 0);
console.log(`\n${files.length} test files, ${tests} tests`);
console.log(`${files.length - failed.length} files passed, ${failed.length} failed${failed.length ? `: ${failed.map((r) => r.file).join(', ')}` : ''}`);
process.exit(failed.length === 0 && files.length > 0 ? 0 : 1);
