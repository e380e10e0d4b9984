// `lsgrad train --train-only PARTS`: every parameter outside the named parts is frozen (no
// gradient, hence no optimizer state and no weight decay), as the LSG model cards' recipe "train
// the global tokens only" (with pool_with_global) does.
import type { Tensor } from '../engine/index.js';
import type { Module } from '../nn/index.js';

export const MODEL_PARTS = ['global', 'head', 'embeddings', 'encoder'] as const;
export type ModelPart = (typeof MODEL_PARTS)[number];

/** Which part a parameter belongs to, by its HuggingFace name. */
export function partOf(name: string): ModelPart {
  if (name.includes('global_embeddings')) return 'global';
  if (name.startsWith('classifier.') || name.includes('.pooler.')) return 'head';
  if (name.includes('.embeddings.')) return 'embeddings';
  return 'encoder';
}

/**
 * Freezes every parameter outside `parts` (all train when `parts` is empty) and returns the
 * trainable ones.
 * @example freezeAllBut(model, ['global', 'head']).length
 */
export function freezeAllBut(module: Module, parts: readonly ModelPart[]): Tensor[] {
  const trainable: Tensor[] = [];
  for (const [name, parameter] of module.namedParameters()) {
    const train = parts.length === 0 || parts.includes(partOf(name));
    parameter.requiresGrad = train;
    if (train) trainable.push(parameter);
  }
  return trainable;
}
