// Runs the lsgrad command in this process, as a test would from a shell, with its output captured.
import { main } from '../../cli/lsgrad.js';

export interface CliResult { status: number; stdout: string; stderr: string }

/** Runs `lsgrad ...argv` in-process; stdout and stderr are captured instead of printed. */
export async function runCli(argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const [writeOut, writeErr] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((chunk: string) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    return { status: await main(argv), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}
