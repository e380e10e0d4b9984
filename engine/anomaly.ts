// Anomaly detection: while `detectAnomaly(fn)` runs, every op's output and every gradient an op's
// backward returns is checked for NaN and ±Infinity, and the first op that produced one from finite
// values is reported by name, shapes and the place in the caller's code that created it.
// (PyTorch's detect_anomaly checks backward only; forward is checked here too, since a NaN loss
// usually starts in the forward pass.) Off by default: the checks read every value back.
import { isFloat } from './dtype.js';
import { LsgradError, checkFunction } from './errors.js';
import type { Tensor } from './tensor.js';

/** Where an anomaly appeared. */
export interface AnomalyReport {
  /** The op whose forward output, or whose backward's gradient for an input, holds NaN or Infinity. */
  op: string;
  phase: 'forward' | 'backward';
  /** What was found first: 'NaN', 'Infinity' or '-Infinity', and at which flat index. */
  value: string;
  index: number;
  inputShapes: number[][];
  outputShape: number[];
  /** For backward: which input's gradient. */
  inputIndex?: number;
  /** The op's call site: the first stack frames outside the engine (file:line), innermost first. */
  createdAt: string[];
  /** False when an input (or, for backward, the incoming gradient) already held a non-finite value. */
  fromFiniteValues: boolean;
}

/** Thrown by detectAnomaly at the first op that produced NaN or Infinity. */
export class AnomalyError extends LsgradError {
  override name = 'AnomalyError';
  readonly report: AnomalyReport;
  constructor(report: AnomalyReport) {
    const inputs = report.inputShapes.map((shape) => `[${shape}]`).join(', ');
    const what = report.phase === 'forward'
      ? `forward output [${report.outputShape}] holds ${report.value} at index ${report.index} (inputs ${inputs})`
      : `backward gradient for input ${report.inputIndex} (shape [${report.inputShapes[report.inputIndex!]}]) holds ${report.value} at index ${report.index} (inputs ${inputs}, output [${report.outputShape}])`;
    const origin = report.fromFiniteValues ? 'from finite values' : report.phase === 'forward' ? 'an input was already non-finite (made outside detectAnomaly?)' : 'the incoming gradient was already non-finite';
    const site = report.createdAt.length > 0 ? `\n  created at ${report.createdAt.join('\n          by ')}` : '';
    super('detectAnomaly', `op '${report.op}': ${what}; ${origin}${site}`);
    this.report = report;
  }
}

interface AnomalyState { checkingBackward: number }
let state: AnomalyState | null = null;

/** True while detectAnomaly runs: ops record their call site and check their outputs. */
export function isAnomalyDetectionEnabled(): boolean {
  return state !== null;
}

/**
 * Runs `fn` with anomaly detection: throws an AnomalyError at the first op whose forward output or
 * backward gradient holds NaN or Infinity. Call `backward()` inside `fn` to check gradients too.
 * Slow (every value is read back); for finding where a NaN starts, not for training runs.
 * @example
 *   detectAnomaly(() => {
 *     const loss = model.forward({ inputIds, labels }).loss!;
 *     loss.backward();
 *   }); // AnomalyError: detectAnomaly: op 'log': forward output [2,3] holds -Infinity at index 4 …
 */
export function detectAnomaly<T>(fn: () => T): T {
  checkFunction('detectAnomaly', 'fn', fn);
  const previous = state;
  state = { checkingBackward: 0 };
  try {
    return fn();
  } finally {
    state = previous;
  }
}

/** The caller's frames: the stack without this file, the engine's own files and Node internals. */
export function captureCallSite(): string[] | undefined {
  if (state === null) return undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40; // the engine's own frames come first and are dropped
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack.split('\n').slice(1).map((line) => line.trim().replace(/^at /, ''));
  const engine = engineLocation();
  const outside = frames.filter((frame) => !engine.some((place) => frame.includes(place)) && !/node:internal|node_modules/.test(frame));
  // NOTE: in a bundle every frame is in one file; then the innermost frames are the best there is.
  return (outside.length > 0 ? outside : frames).slice(0, 4);
}

let engineFolder: string[] | undefined;

/** This folder (engine/), as a URL and as a path: frames there are the engine's own. */
function engineLocation(): string[] {
  if (engineFolder === undefined) {
    try {
      const folder = new URL('.', import.meta.url);
      engineFolder = [folder.href, decodeURIComponent(folder.pathname)];
    } catch {
      engineFolder = []; // a script bundle has no module URL
    }
  }
  return engineFolder;
}

/** The first NaN/Infinity of a float tensor, or undefined when every value is finite. */
function firstNonFinite(tensor: Tensor): { value: string; index: number } | undefined {
  if (!isFloat(tensor.dtype) || tensor.size === 0) return undefined;
  const values = tensor.toTypedArray();
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) return { value: String(value), index: i };
  }
  return undefined;
}

/** Called by every op after its forward: throws when detection is on and the output is not finite. */
export function checkForward(op: string, inputs: readonly Tensor[], output: Tensor, createdAt: string[] | undefined): void {
  if (state === null || state.checkingBackward > 0) return;
  const found = firstNonFinite(output);
  if (!found) return;
  throw new AnomalyError({
    op, phase: 'forward', ...found,
    inputShapes: inputs.map((input) => [...input.shape]), outputShape: [...output.shape],
    createdAt: createdAt ?? [], fromFiniteValues: inputs.every((input) => firstNonFinite(input) === undefined),
  });
}

/**
 * Runs a backward pass with forward checks off: the ops inside it are the gradients' arithmetic,
 * checked per node by checkBackward instead.
 */
export function duringBackward<T>(fn: () => T): T {
  if (state === null) return fn();
  const current = state;
  current.checkingBackward++;
  try {
    return fn();
  } finally {
    current.checkingBackward--;
  }
}

/** Called for every node in backward: throws when detection is on and a returned gradient is not finite. */
export function checkBackward(
  op: string, inputs: readonly Tensor[], output: Tensor, dy: Tensor, grads: readonly (Tensor | null)[], createdAt: string[] | undefined,
): void {
  if (state === null) return;
  grads.forEach((grad, inputIndex) => {
    const found = grad && inputs[inputIndex]?.requiresGrad ? firstNonFinite(grad) : undefined;
    if (!found) return;
    throw new AnomalyError({
      op, phase: 'backward', ...found, inputIndex,
      inputShapes: inputs.map((input) => [...input.shape]), outputShape: [...output.shape],
      createdAt: createdAt ?? [], fromFiniteValues: firstNonFinite(dy) === undefined,
    });
  });
}
