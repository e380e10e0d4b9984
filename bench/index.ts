// npm run bench [-- --quick | --smoke] [--out DIR] [--cap SECONDS] [--only ID,ID] [--lengths 512,1024] [--no-kernels]
// npm run bench -- --render bench/results/full.json   (tables and chart again from a saved run)
// Runs the suite (each cell in its own process), prints the markdown report, and writes
// <mode>.json, <mode>.md and <mode>-attention.svg into bench/results/ (or --out).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic as writeAtomic } from '../cli/atomic.js';
import { UsageError } from '../cli/args.js';
import { chartSvg, markdownReport } from './report.js';
import { benchHelp, parseArgs } from './index-args.js';
import { runSuite, type SuiteReport } from './suite.js';
import { checkTargets } from './targets.js';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const { settings, outDir, render, help } = parsed;
  if (help) {
    console.log(benchHelp());
    return;
  }
  if (render) {
    // Re-renders a saved run (its mode names the files) without measuring anything.
    const saved = JSON.parse(readFileSync(render, 'utf8')) as SuiteReport;
    const stem = join(dirname(render), String(saved.meta.mode));
    const targets = checkTargets(saved);
    const markdown = markdownReport(saved, targets);
    writeAtomic(`${stem}.json`, `${JSON.stringify({ ...saved, targets }, null, 1)}\n`);
    writeAtomic(`${stem}.md`, `${markdown}\n`);
    writeAtomic(`${stem}-attention.svg`, chartSvg(saved));
    console.log(markdown);
    return;
  }
  process.stderr.write(`bench: ${settings.mode} suite, lengths ${settings.lengths.join(', ')}, cap ${settings.capSeconds} s per cell → ${outDir}\n`);
  mkdirSync(outDir, { recursive: true });
  const stem = join(outDir, settings.mode);
  const write = (report: SuiteReport): string => {
    const targets = checkTargets(report);
    const markdown = markdownReport(report, targets);
    writeAtomic(`${stem}.json`, `${JSON.stringify({ ...report, targets }, null, 1)}\n`);
    writeAtomic(`${stem}.md`, `${markdown}\n`);
    writeAtomic(`${stem}-attention.svg`, chartSvg(report));
    return markdown;
  };
  const report = await runSuite(settings, write);
  console.log(write(report));
  process.stderr.write(`bench: wrote ${stem}.json, ${stem}.md, ${stem}-attention.svg\n`);
}

await main();
