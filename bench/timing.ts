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

export const FULL_REPS: RepPolicy = { maxReps: 5, warmupBelowMs: 1000, singleAboveMs: 8000, budgetMs: 20_000 };
export const QUICK_REPS: RepPolicy = { maxReps: 3, warmupBelowMs: 300, singleAboveMs: 3000, budgetMs: 6000 };
export const SMOKE_REPS: RepPolicy = { maxReps: 1, warmupBelowMs: 0, singleAboveMs: 0, budgetMs: 0 };

/** Runs `body` under the policy and returns the timed durations in milliseconds; `prepare` runs untimed before each. */
export async function timeRuns(body: () => void | Promise<void>, policy: RepPolicy, prepare?: () => void): Promise<number[]> {
  const once = async () => {
    prepare?.();
    const start = performance.now();
    await body();
    return performance.now() - start;
  };
  const first = await once();
  const times = first < policy.warmupBelowMs ? [] : [first];
  if (first >= policy.singleAboveMs) return times.length > 0 ? times : [first];
  while (times.length < Math.max(1, policy.maxReps) && times.reduce((s, t) => s + t, 0) < policy.budgetMs) {
    times.push(await once());
  }
  return times;
}
