// What one measured mode of a benchmark cell reports, and the process-memory probes behind it.
import { median } from './stats.js';
import type { RunTimes } from './timing.js';

export interface ModeResult {
  readonly mode: string;
  /** Wall-clock times of the timed runs and their median. */
  readonly timesMs: number[];
  readonly medianMs: number;
  /** CPU times (user + system, all threads) of the same runs and their median. */
  readonly cpuTimesMs: number[];
  readonly medianCpuMs: number;
  /** Bytes of every buffer the kernels returned during one call (forward, or forward and backward). */
  readonly allocatedBytes: number;
  readonly buffers: number;
  readonly largestBufferBytes: number;
  /** tfjs only: the peak of tfjs's own live-bytes counter during one call. */
  readonly livePeakBytes?: number;
  /** The process's peak resident set (high-water mark so far) minus its resident set before the first call. */
  readonly peakRssDeltaBytes: number;
  readonly extra?: Record<string, number | string>;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage when the process runs with --expose-gc (the suite starts cells that way). */
export function collectGarbage(): void {
  gc?.();
}

/** The resident set now, after a collection: the baseline of a cell. */
export function baselineRss(): number {
  collectGarbage();
  return process.memoryUsage.rss();
}

/** Peak resident set since the process started (resourceUsage reports kilobytes). */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** The timing fields of a ModeResult. */
export function timingFields(times: RunTimes): Pick<ModeResult, 'timesMs' | 'medianMs' | 'cpuTimesMs' | 'medianCpuMs'> {
  return { timesMs: times.wallMs, medianMs: median(times.wallMs), cpuTimesMs: times.cpuMs, medianCpuMs: median(times.cpuMs) };
}

/** Prints one result line for the parent process. */
export function emit(result: unknown): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}
