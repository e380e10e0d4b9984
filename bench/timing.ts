// How many times a benchmark body runs: enough for a median when it is fast, once when it is slow.

export interface RepPolicy {
  /** Timed runs at most. */
  readonly maxReps: number;
  /** A first run shorter than this is treated as warm-up and not counted. */
  readonly warmupBelowMs: number;
  /** A run longer than this is the only one (slow cells are measured once). */
  readonly singleAboveMs: number;
  /** Stop adding runs once the timed runs sum to this. */
  readonly budgetMs: number;
}

export const FULL_REPS: RepPolicy = { maxReps: 5, warmupBelowMs: 500, singleAboveMs: 2500, budgetMs: 8000 };
export const QUICK_REPS: RepPolicy = { maxReps: 3, warmupBelowMs: 300, singleAboveMs: 1500, budgetMs: 4000 };
export const SMOKE_REPS: RepPolicy = { maxReps: 1, warmupBelowMs: 0, singleAboveMs: 0, budgetMs: 0 };

export interface RunTimes {
  /** Wall-clock milliseconds of each timed run. */
  readonly wallMs: number[];
  /** CPU milliseconds (user + system, all threads of the process) of each timed run. NOTE: on a
   * shared machine this is far steadier than wall time; with the matmul helper thread busy it can
   * exceed wall time. */
  readonly cpuMs: number[];
}

/** Runs `body` under the policy and returns the timed durations; `prepare` runs untimed before each. */
export async function timeRuns(body: () => void | Promise<void>, policy: RepPolicy, prepare?: () => void): Promise<RunTimes> {
  const once = async (): Promise<[number, number]> => {
    prepare?.();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await body();
    const wall = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    return [wall, (cpu.user + cpu.system) / 1000];
  };
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const first = await once();
  if (first[0] >= policy.warmupBelowMs || first[0] >= policy.singleAboveMs) {
    wallMs.push(first[0]);
    cpuMs.push(first[1]);
  }
  if (first[0] >= policy.singleAboveMs) return { wallMs, cpuMs };
  while (wallMs.length < Math.max(1, policy.maxReps) && wallMs.reduce((s, t) => s + t, 0) < policy.budgetMs) {
    const [wall, cpu] = await once();
    wallMs.push(wall);
    cpuMs.push(cpu);
  }
  return { wallMs, cpuMs };
}
