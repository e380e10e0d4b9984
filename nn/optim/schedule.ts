import { argumentError } from '../../engine/errors.js';
import type { Optimizer } from './optimizer.js';

export interface WarmupScheduleOptions {
  warmupSteps: number;
  totalSteps: number;
  /** After warmup: 'linear' to 0 at totalSteps, or 'cosine' (half a cosine wave) to 0. */
  decay: 'linear' | 'cosine';
}

/**
 * The lr multiplier at a step, as HuggingFace's get_linear_schedule_with_warmup /
 * get_cosine_schedule_with_warmup: step/warmup during warmup, then decaying to 0 at totalSteps.
 * @example
 *   const factor = warmupSchedule({ warmupSteps: 10, totalSteps: 100, decay: 'linear' });
 *   factor(5); // 0.5
 */
export function warmupSchedule(options: WarmupScheduleOptions): (step: number) => number {
  const { warmupSteps, totalSteps, decay } = options;
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0)) throw argumentError('warmupSchedule', 'warmupSteps', warmupSteps, 'a non-negative integer');
  if (!(Number.isInteger(totalSteps) && totalSteps >= warmupSteps)) throw argumentError('warmupSchedule', 'totalSteps', totalSteps, `an integer >= warmupSteps (${warmupSteps})`);
  if (decay !== 'linear' && decay !== 'cosine') throw argumentError('warmupSchedule', 'decay', decay, '"linear" or "cosine"');
  return (step) => {
    if (step < warmupSteps) return step / Math.max(1, warmupSteps);
    const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    if (decay === 'linear') return Math.max(0, 1 - progress);
    return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
  };
}

/**
 * Sets every group's lr to initialLr × factor(step). Call `step()` after each optimizer step.
 * @example
 *   const scheduler = new LrScheduler(optimizer, warmupSchedule({ warmupSteps: 10, totalSteps: 100, decay: 'cosine' }));
 *   optimizer.step(); scheduler.step();
 */
export class LrScheduler {
  private stepCount = 0;

  constructor(readonly optimizer: Optimizer, readonly factor: (step: number) => number) {
    this.apply();
  }

  step(): void {
    this.stepCount += 1;
    this.apply();
  }

  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }

  private apply(): void {
    for (const group of this.optimizer.paramGroups) group.lr = group.initialLr * this.factor(this.stepCount);
  }
}
