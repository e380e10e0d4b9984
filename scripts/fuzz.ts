// `npm run fuzz -- --runs N [--seed S] [--only NAME]`: the fuzz suites of test/fuzz/ with N cases per
// property and a fresh seed (printed, so that a failure can be replayed with --seed), each suite in
// its own process. Ends with how many cases ran and which properties failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { UsageError, formatHelp, parseArgs } from '../cli/args.js';

const FLAGS = {
  runs: { kind: 'int', default: 1000, min: 1, help: 'cases per property' },
  seed: { kind: 'int', default: -1, min: -1, help: 'fast-check seed (-1: a fresh one, printed)' },
  only: { kind: 'string', placeholder: 'NAME', help: 'run only the suites whose file name contains NAME (ops, lsg, checkpoints, regressions)' },
} as const;

const root = fileURLToPath(new URL('../', import.meta.url));

function runSuite(file: string, env: Record<string, string>): Promise<{ output: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env: { ...process.env, ...env, FORCE_COLOR: '0' } });
    let output = '';
    const forward = (chunk: Buffer) => { output += chunk; process.stdout.write(chunk); };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('close', (code) => resolve({ output, code }));
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs('npm run fuzz --', FLAGS, argv);
  } catch (error) {
    if (error instanceof UsageError) { process.stderr.write(`${error.message}\n`); return 2; }
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(`${formatHelp('npm run fuzz -- [--runs N] [--seed S] [--only NAME]', 'Runs the fuzz properties of test/fuzz/ with N cases each.', FLAGS)}\n`);
    return 0;
  }
  const { runs, only } = parsed.flags;
  const seed = parsed.flags.seed >= 0 ? parsed.flags.seed : Math.floor(Math.random() * 2 ** 31);
  const directory = join(root, 'test', 'fuzz');
  const suites = readdirSync(directory).filter((name) => name.endsWith('.test.ts') && (only === undefined || name.includes(only))).sort();
  console.log(`fuzz: ${suites.length} suites, ${runs} cases per property, seed ${seed} (replay: npm run fuzz -- --runs ${runs} --seed ${seed})`);
  const started = Date.now();
  let cases = 0;
  const failed: string[] = [];
  for (const suite of suites) {
    const { output, code } = await runSuite(join(directory, suite), { LSGRAD_FUZZ_RUNS: String(runs), LSGRAD_FUZZ_SEED: String(seed) });
    for (const match of output.matchAll(/: (\d+) cases passed/g)) cases += Number(match[1]);
    for (const match of output.matchAll(/fuzz "([^"]+)" FAILED/g)) failed.push(`${suite}: ${match[1]}`);
    if (code !== 0 && !failed.some((line) => line.startsWith(suite))) failed.push(`${suite}: exited with ${code}`);
  }
  console.log(`\nfuzz: ${cases} cases passed in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${seed}); ${failed.length === 0 ? 'no failures' : `${failed.length} failed:\n  ${failed.join('\n  ')}`}`);
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
