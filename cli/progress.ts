// Training progress: on a terminal one line redrawn in place; elsewhere (CI logs, files) plain
// lines at most every `intervalSeconds`, so logs stay short but show the run is alive.

export interface ProgressOptions {
  totalSteps: number;
  /** Where to write; defaults to stderr so stdout stays clean for results. */
  stream?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Plain-line period when the stream is not a terminal. */
  intervalSeconds?: number;
  /** Injected clock in milliseconds (tests). */
  now?: () => number;
  /** Step the run started from (a resumed run), so speed and ETA count only this process's steps. */
  startStep?: number;
  /**
   * Work planned for steps 1…step, in any unit (default: the step count). The ETA extrapolates
   * the time per unit, so steps that cost more (a sequence-length warm-up's long steps) count more.
   */
  cumulativeWork?: (step: number) => number;
  /**
   * Tokens still to be scored once step `step` is trained: its own validation if it has one (a step
   * is reported before it is validated), later ones and the final test. The ETA adds their time.
   */
  evaluationTokensFrom?: (step: number) => number;
}

export interface ProgressUpdate {
  step: number;
  loss: number;
  /** Tokens processed in this step (batch × seqLen). */
  tokens: number;
}

/** `75` → `1m15s`, `3700` → `1h01m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * @example
 * const progress = new ProgressBar({ totalSteps: 100 });
 * progress.update({ step: 1, loss: 0.69, tokens: 8192 });
 * progress.finish();
 */
export class ProgressBar {
  private readonly totalSteps: number;
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly startMs: number;
  private readonly startStep: number;
  private readonly cumulativeWork: (step: number) => number;
  private readonly evaluationTokensFrom: (step: number) => number;
  private tokensSeen = 0;
  private evaluationSeconds = 0;
  private evaluationTokens = 0;
  private lastPlainMs = -Infinity;
  private lineOpen = false;

  constructor(options: ProgressOptions) {
    if (!Number.isInteger(options.totalSteps) || options.totalSteps <= 0) {
      throw new Error(`ProgressBar: totalSteps ${options.totalSteps} is invalid; expected a positive integer`);
    }
    this.totalSteps = options.totalSteps;
    this.stream = options.stream ?? process.stderr;
    this.intervalMs = (options.intervalSeconds ?? 10) * 1000;
    this.now = options.now ?? (() => performance.now());
    this.startMs = this.now();
    this.startStep = options.startStep ?? 0;
    this.cumulativeWork = options.cumulativeWork ?? ((step) => step);
    this.evaluationTokensFrom = options.evaluationTokensFrom ?? (() => 0);
  }

  /** An evaluation took `seconds` to score `tokens`: its time leaves the training speed and prices the evaluations to come. */
  recordEvaluation(seconds: number, tokens: number): void {
    this.evaluationSeconds += seconds;
    this.evaluationTokens += tokens;
  }

  /** The status text for one update, without any terminal control characters. */
  describe(update: ProgressUpdate): string {
    const elapsedSeconds = (this.now() - this.startMs) / 1000;
    const trainingSeconds = elapsedSeconds - this.evaluationSeconds;
    const work = this.cumulativeWork;
    const workDone = work(update.step) - work(this.startStep);
    const trainingLeft = workDone > 0 ? (trainingSeconds / workDone) * (work(this.totalSteps) - work(update.step)) : NaN;
    // Until an evaluation has been timed, scoring a token is taken to cost a third of training on
    // one: a forward pass against a forward and a backward pass.
    const secondsPerEvaluationToken = this.evaluationTokens > 0
      ? this.evaluationSeconds / this.evaluationTokens
      : trainingSeconds / Math.max(1, this.tokensSeen) / 3;
    const eta = trainingLeft + secondsPerEvaluationToken * this.evaluationTokensFrom(update.step);
    const tokensPerSecond = trainingSeconds > 0 ? this.tokensSeen / trainingSeconds : 0;
    const width = String(this.totalSteps).length;
    return `step ${String(update.step).padStart(width)}/${this.totalSteps} · loss ${update.loss.toFixed(4)} · ` +
      `${Math.round(tokensPerSecond)} tok/s · ${formatDuration(elapsedSeconds)} elapsed · ETA ${formatDuration(eta)}`;
  }

  update(update: ProgressUpdate): void {
    this.tokensSeen += update.tokens;
    const text = this.describe(update);
    if (this.stream.isTTY) {
      const fraction = update.step / this.totalSteps;
      const barWidth = 20;
      const filled = Math.round(fraction * barWidth);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
      const columns = this.stream.columns ?? 120;
      // \r returns to column 0 and \x1b[K clears what a longer previous line left behind.
      this.stream.write(`\r${`${bar} ${text}`.slice(0, columns - 1)}\x1b[K`);
      this.lineOpen = true;
      return;
    }
    const nowMs = this.now();
    if (nowMs - this.lastPlainMs >= this.intervalMs || update.step === this.totalSteps || update.step === this.startStep + 1) {
      this.stream.write(`${text}\n`);
      this.lastPlainMs = nowMs;
    }
  }

  /** Prints a message without tearing the progress line (e.g. a validation result). */
  log(message: string): void {
    if (this.lineOpen) { this.stream.write('\r\x1b[K'); this.lineOpen = false; }
    this.stream.write(`${message}\n`);
  }

  finish(): void {
    if (this.lineOpen) { this.stream.write('\n'); this.lineOpen = false; }
  }
}
