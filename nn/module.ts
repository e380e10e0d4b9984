/**
 * Module: the base of every layer and model. Parameters are found by walking the object's own
 * fields (tensors, child modules, arrays of either), so a model's dotted names come from its
 * structure, exactly as PyTorch's `named_parameters()` / `state_dict()` name them.
 */
import { CheckpointError, Tensor, noGrad } from '../engine/index.js';

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Fail on missing or unexpected keys (shape mismatches always fail). Default true. */
  strict?: boolean;
  /** Keys that may appear in `state` without being parameters here (tied duplicates such as `predictions.decoder.weight`). */
  ignoredKeys?: readonly string[];
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export abstract class Module {
  /** Dropout and friends read this; `train()` / `eval()` set it on the whole tree. */
  training = true;

  /**
   * The state-dict name of a field. Default: camelCase → snake_case (`ffnOutput` → `ffn_output`);
   * a module overrides `stateNames()` where HuggingFace's name differs (`layerNorm` → `LayerNorm`).
   */
  protected stateNames(): Record<string, string> {
    return {};
  }

  private *children(): Generator<[string, Tensor | Module]> {
    const overrides = this.stateNames();
    for (const [field, value] of Object.entries(this)) {
      const name = overrides[field] ?? camelToSnake(field);
      if (value instanceof Tensor || value instanceof Module) {
        yield [name, value];
      } else if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          if (item instanceof Tensor || item instanceof Module) yield [`${name}.${index}`, item];
        }
      }
    }
  }

  /**
   * Every parameter with its dotted name; a tensor reached twice is listed once, under its first name.
   * @example
   *   new Linear(3, 2).namedParameters().map(([name]) => name); // ['weight', 'bias']
   */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    const visit = (module: Module, prefix: string, visiting: Set<Module>): void => {
      if (visiting.has(module)) return;
      visiting.add(module);
      for (const [name, child] of module.children()) {
        const fullName = prefix + name;
        if (child instanceof Tensor) {
          if (!seen.has(child)) {
            seen.add(child);
            out.push([fullName, child]);
          }
        } else {
          visit(child, `${fullName}.`, visiting);
        }
      }
      visiting.delete(module);
    };
    visit(this, '', new Set());
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, parameter]) => parameter);
  }

  /** This module and every module below it (each once). */
  modules(): Module[] {
    const out: Module[] = [];
    const visit = (module: Module): void => {
      if (out.includes(module)) return;
      out.push(module);
      for (const [, child] of module.children()) if (child instanceof Module) visit(child);
    };
    visit(this);
    return out;
  }

  /** Sets training mode on this module and all below it; returns this. */
  train(mode = true): this {
    for (const module of this.modules()) module.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient, so the next backward starts from zero. */
  zeroGrad(): void {
    for (const parameter of this.parameters()) parameter.grad = null;
  }

  /** The parameters by dotted name (the tensors themselves, not copies). */
  stateDict(): StateDict {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Copies values into the parameters by name. Every problem (missing key, unexpected key, shape
   * mismatch) is collected and reported in one error. Values of another float dtype are cast.
   * @example
   *   const source = new Linear(3, 2), target = new Linear(3, 2);
   *   target.loadStateDict(source.stateDict());
   */
  loadStateDict(state: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const ignored = new Set(options.ignoredKeys ?? []);
    const own = this.namedParameters();
    const ownNames = new Set(own.map(([name]) => name));
    const missingKeys = own.map(([name]) => name).filter((name) => !Object.hasOwn(state, name));
    const unexpectedKeys = Object.keys(state).filter((name) => !ownNames.has(name) && !ignored.has(name));
    const shapeMismatches: string[] = [];
    for (const [name, parameter] of own) {
      const value = state[name];
      if (value !== undefined && value.shape.join(',') !== parameter.shape.join(',')) {
        shapeMismatches.push(`${name}: checkpoint [${value.shape.join(', ')}] vs model [${parameter.shape.join(', ')}]`);
      }
    }
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing keys (${missingKeys.length}): ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys (${unexpectedKeys.length}): ${unexpectedKeys.join(', ')}`);
    if (shapeMismatches.length > 0) problems.push(`shape mismatches (${shapeMismatches.length}): ${shapeMismatches.join('; ')}`);
    if (problems.length > 0) {
      throw new CheckpointError('loadStateDict', `state does not fit ${this.constructor.name}:\n  ${problems.join('\n  ')}`);
    }
    noGrad(() => {
      for (const [name, parameter] of own) {
        const value = state[name];
        if (value === undefined) continue;
        parameter.assign(value.dtype === parameter.dtype ? value.contiguous() : value.cast(parameter.dtype));
      }
    });
    return { missingKeys, unexpectedKeys };
  }
}
