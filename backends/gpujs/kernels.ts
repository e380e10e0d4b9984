// Kernel sources: one template per family (map, zip, where, reduce, matmul, pad, concat, gather,
// scatterAdd, scatterView, fill). The op is picked from the fixed tables in expressions.ts; shapes
// and strides are written in as literals, offsets and scalars are arguments. No closures: a kernel
// body uses only its arguments, so the same source compiles in every gpu.js mode.
import type { BinaryOp, Layout, ReduceOp, UnaryOp } from '../../engine/backend.js';
import { BINARY_EXPRESSIONS, REDUCE_STEPS, UNARY_EXPRESSIONS } from './expressions.js';
import { collapse, decodeIndex, exactDivision, literal, offsetExpression } from './layout.js';

export type ArgumentType = 'Array' | 'Float';

/** A kernel to compile (once per key) and run over `outputSize` threads starting at `chunkStart`. */
export interface KernelSpec {
  readonly key: string;
  readonly source: string;
  readonly argumentNames: readonly string[];
  readonly argumentTypes: readonly ArgumentType[];
}

/** Layout of an operand as the kernels see it: strides and offset into a storage of `storageSize` elements. */
export interface OperandLayout extends Layout {
  readonly storageSize: number;
}

const THREAD_INDEX = 'const i = this.thread.x + chunkStart;';

function build(family: string, keyParts: readonly unknown[], args: [string, ArgumentType][], body: string[]): KernelSpec {
  const all: [string, ArgumentType][] = [...args, ['chunkStart', 'Float']];
  const names = all.map(([name]) => name);
  const source = `function(${names.join(', ')}) {\n  ${[THREAD_INDEX, ...body].join('\n  ')}\n}`;
  return { key: `${family}|${JSON.stringify(keyParts)}`, source, argumentNames: names, argumentTypes: all.map(([, type]) => type) };
}

const sizeKey = (x: OperandLayout) => [x.shape, x.strides, x.storageSize];

/** Unary op over a strided view. Arguments: x, xOffset. */
export function mapKernel(op: UnaryOp, x: OperandLayout): KernelSpec {
  const { dims, strides } = collapse(x.shape, [x.strides]);
  return build('map', [op, ...sizeKey(x)], [['x', 'Array'], ['xOffset', 'Float']], [
    ...decodeIndex('i', dims, 'o'),
    `const v = x[${offsetExpression('xOffset', 'o', strides[0]!)}];`,
    UNARY_EXPRESSIONS[op],
  ]);
}

/** A row-major copy of a strided view (contiguous, and uploads). Arguments: x, xOffset. */
export function copyKernel(x: OperandLayout): KernelSpec {
  const { dims, strides } = collapse(x.shape, [x.strides]);
  return build('copy', sizeKey(x), [['x', 'Array'], ['xOffset', 'Float']], [
    ...decodeIndex('i', dims, 'o'),
    `return x[${offsetExpression('xOffset', 'o', strides[0]!)}];`,
  ]);
}

/** Binary op over two same-shape views. Arguments: a, aOffset, b, bOffset. */
export function zipKernel(op: BinaryOp, a: OperandLayout, b: OperandLayout): KernelSpec {
  const expression = BINARY_EXPRESSIONS[op];
  if (!expression) throw new RangeError(`gpujs zipKernel: op '${op}' has no float32 kernel (comparisons run on the host)`);
  const { dims, strides } = collapse(a.shape, [a.strides, b.strides]);
  return build('zip', [op, ...sizeKey(a), ...sizeKey(b)], [['aData', 'Array'], ['aOffset', 'Float'], ['bData', 'Array'], ['bOffset', 'Float']], [
    ...decodeIndex('i', dims, 'o'),
    `const a = aData[${offsetExpression('aOffset', 'o', strides[0]!)}];`,
    `const b = bData[${offsetExpression('bOffset', 'o', strides[1]!)}];`,
    expression,
  ]);
}

/**
 * Binary op between a view and a scalar passed as an argument (side says which operand the scalar is), so that
 * the scalar needs no buffer and no kernel of its own. Arguments: x, xOffset, scalar.
 */
export function scalarZipKernel(op: BinaryOp, side: 'a' | 'b', x: OperandLayout): KernelSpec {
  const expression = BINARY_EXPRESSIONS[op];
  if (!expression) throw new RangeError(`gpujs scalarZipKernel: op '${op}' has no float32 kernel (comparisons run on the host)`);
  const { dims, strides } = collapse(x.shape, [x.strides]);
  const element = `xData[${offsetExpression('xOffset', 'o', strides[0]!)}]`;
  return build('zipScalar', [op, side, ...sizeKey(x)], [['xData', 'Array'], ['xOffset', 'Float'], ['scalar', 'Float']], [
    ...decodeIndex('i', dims, 'o'),
    `const a = ${side === 'a' ? 'scalar' : element};`,
    `const b = ${side === 'b' ? 'scalar' : element};`,
    expression,
  ]);
}

/** cond ? a : b, with cond as 0/1 floats. Arguments: cond, condOffset, a, aOffset, b, bOffset. */
export function whereKernel(cond: OperandLayout, a: OperandLayout, b: OperandLayout): KernelSpec {
  const { dims, strides } = collapse(a.shape, [cond.strides, a.strides, b.strides]);
  const args: [string, ArgumentType][] = [['cond', 'Array'], ['condOffset', 'Float'], ['aData', 'Array'], ['aOffset', 'Float'], ['bData', 'Array'], ['bOffset', 'Float']];
  return build('where', [...sizeKey(cond), ...sizeKey(a), ...sizeKey(b)], args, [
    ...decodeIndex('i', dims, 'o'),
    `if (cond[${offsetExpression('condOffset', 'o', strides[0]!)}] != 0.0) { return aData[${offsetExpression('aOffset', 'o', strides[1]!)}]; }`,
    `return bData[${offsetExpression('bOffset', 'o', strides[2]!)}];`,
  ]);
}

/** Reduces the sorted `axes` of x (at least one element per output). Arguments: x, xOffset. */
export function reduceKernel(op: ReduceOp, x: OperandLayout, axes: readonly number[]): KernelSpec {
  const keptAxes = x.shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const kept = collapse(keptAxes.map((a) => x.shape[a]!), [keptAxes.map((a) => x.strides[a]!)]);
  const reduced = collapse(axes.map((a) => x.shape[a]!), [axes.map((a) => x.strides[a]!)]);
  const groupSize = reduced.dims.reduce((p, d) => p * d, 1);
  return build('reduce', [op, axes, ...sizeKey(x)], [['x', 'Array'], ['xOffset', 'Float']], [
    ...decodeIndex('i', kept.dims, 'o'),
    `const base = ${offsetExpression('xOffset', 'o', kept.strides[0]!)};`,
    // The first element starts the fold: a finite start value for max/min without an Infinity literal.
    'let acc = x[base];',
    op === 'sum' ? 'acc = 0.0;' : '',
    `for (let r = 0; r < ${groupSize}; r++) {`,
    ...decodeIndex('r * 1.0', reduced.dims, 'g').map((line) => `  ${line}`),
    `  const v = x[${offsetExpression('base', 'g', reduced.strides[0]!)}];`,
    `  ${REDUCE_STEPS[op]}`,
    '}',
    'return acc;',
  ]);
}

/** a [...batch, M, K] @ b [...batch, K, N]. Arguments: a, aOffset, b, bOffset. */
export function matmulKernel(a: OperandLayout, b: OperandLayout): KernelSpec {
  const rank = a.shape.length;
  const [M, K] = [a.shape[rank - 2]!, a.shape[rank - 1]!];
  const N = b.shape[rank - 1]!;
  const batch = collapse(a.shape.slice(0, -2), [a.strides.slice(0, -2), b.strides.slice(0, -2)]);
  const dims = [...batch.dims, M, N];
  const aStrides = [...batch.strides[0]!, a.strides[rank - 2]!, 0];
  const bStrides = [...batch.strides[1]!, 0, b.strides[rank - 1]!];
  return build('matmul', [...sizeKey(a), ...sizeKey(b)], [['aData', 'Array'], ['aOffset', 'Float'], ['bData', 'Array'], ['bOffset', 'Float']], [
    ...decodeIndex('i', dims, 'o'),
    `const aBase = ${offsetExpression('aOffset', 'o', aStrides)};`,
    `const bBase = ${offsetExpression('bOffset', 'o', bStrides)};`,
    'let acc = 0.0;',
    `for (let k = 0; k < ${K}; k++) {`,
    `  acc = acc + aData[aBase + k * ${literal(a.strides[rank - 1]!)}] * bData[bBase + k * ${literal(b.strides[rank - 2]!)}];`,
    '}',
    "return acc;",
  ]);
}

/**
 * log Σ exp over the last axis of x, one output per row (the first kernel of a fused softmax).
 * Two passes over the row: the maximum, then the shifted sum. Arguments: x, xOffset.
 */
export function logSumExpRowsKernel(x: OperandLayout): KernelSpec {
  const rank = x.shape.length;
  const length = x.shape[rank - 1]!;
  const rows = collapse(x.shape.slice(0, -1), [x.strides.slice(0, -1)]);
  const step = literal(x.strides[rank - 1]!);
  return build('logSumExpRows', sizeKey(x), [['x', 'Array'], ['xOffset', 'Float']], [
    ...decodeIndex('i', rows.dims, 'o'),
    `const base = ${offsetExpression('xOffset', 'o', rows.strides[0]!)};`,
    'let peak = x[base];',
    `for (let j = 0; j < ${length}; j++) { peak = Math.max(peak, x[base + j * ${step}]); }`,
    'let total = 0.0;',
    `for (let j = 0; j < ${length}; j++) { total = total + Math.exp(x[base + j * ${step}] - peak); }`,
    'return peak + Math.log(total);',
  ]);
}

/** exp(x − lse[row]) over a view whose rows are its last axis. Arguments: x, xOffset, lse. */
export function softmaxKernel(x: OperandLayout): KernelSpec {
  const { dims, strides } = collapse(x.shape, [x.strides]);
  const length = literal(x.shape[x.shape.length - 1]!);
  return build('softmax', sizeKey(x), [['x', 'Array'], ['xOffset', 'Float'], ['lse', 'Array']], [
    ...decodeIndex('i', dims, 'o'),
    ...exactDivision('i', length, 'row', 'column'),
    `return Math.exp(x[${offsetExpression('xOffset', 'o', strides[0]!)}] - lse[row]);`,
  ]);
}

/** Pads each axis with `value`. Arguments: x, xOffset, value. */
export function padKernel(x: OperandLayout, pads: readonly (readonly [number, number])[]): KernelSpec {
  const shape = x.shape.map((d, axis) => d + pads[axis]![0] + pads[axis]![1]);
  const checks = x.shape.flatMap((dim, axis) => [
    `const x${axis} = o${axis} - ${literal(pads[axis]![0])};`,
    `if (x${axis} < 0.0) { return value; }`,
    `if (x${axis} > ${literal(dim - 1)}) { return value; }`,
  ]);
  return build('pad', [pads, ...sizeKey(x)], [['x', 'Array'], ['xOffset', 'Float'], ['value', 'Float']], [
    ...decodeIndex('i', shape, 'o'),
    ...checks,
    `return x[${offsetExpression('xOffset', 'x', x.strides)}];`,
  ]);
}

/** Joins views along `axis`. Arguments: x0, x0Offset, x1, x1Offset, … */
export function concatKernel(xs: readonly OperandLayout[], axis: number): KernelSpec {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((total, x) => total + x.shape[axis]!, 0);
  const body = [...decodeIndex('i', shape, 'o')];
  let start = 0;
  xs.forEach((x, k) => {
    const coordinates = x.strides.map((stride, a) => (stride === 0 ? '' : ` + ${a === axis ? `(o${a} - ${literal(start)})` : `o${a}`} * ${literal(stride)}`)).join('');
    const end = start + x.shape[axis]!;
    const read = `return x${k}[x${k}Offset${coordinates}];`;
    body.push(k === xs.length - 1 ? read : `if (o${axis} < ${literal(end)}) { ${read} }`);
    start = end;
  });
  const args = xs.flatMap((_, k): [string, ArgumentType][] => [[`x${k}`, 'Array'], [`x${k}Offset`, 'Float']]);
  return build('concat', [axis, ...xs.map(sizeKey)], args, body);
}

/** out[..i..] = x[..index[..i..]..] along axis. Arguments: x, xOffset, index, indexOffset. */
export function gatherKernel(x: OperandLayout, axis: number, index: OperandLayout): KernelSpec {
  const xStrides = x.strides.map((s, a) => (a === axis ? 0 : s));
  return build('gather', [axis, ...sizeKey(x), ...sizeKey(index)], [['x', 'Array'], ['xOffset', 'Float'], ['index', 'Array'], ['indexOffset', 'Float']], [
    ...decodeIndex('i', index.shape, 'o'),
    `const position = index[${offsetExpression('indexOffset', 'o', index.strides)}];`,
    `return x[${offsetExpression('xOffset', 'o', xStrides)} + position * ${literal(x.strides[axis]!)}];`,
  ]);
}

/**
 * x plus, for each output element, the src elements listed for it: sources[starts[i] … starts[i+1]) are src
 * offsets (a compressed list the host builds from the int32 index, which lives on the host). Each thread loops
 * over its own list, at most `maxCount` entries (a literal bound, as every mode needs), so the work is the
 * index's size, not output × index axis; the break matters where one list is long (LSG's pad row).
 * Arguments: x, xOffset, starts, sources, src.
 */
export function scatterListsKernel(x: OperandLayout, maxCount: number, sourcesSize: number, src: OperandLayout): KernelSpec {
  const args: [string, ArgumentType][] = [['x', 'Array'], ['xOffset', 'Float'], ['starts', 'Array'], ['sources', 'Array'], ['src', 'Array']];
  const { dims, strides } = collapse(x.shape, [x.strides]);
  return build('scatterAdd', [...sizeKey(x), maxCount, sourcesSize, src.storageSize], args, [
    ...decodeIndex('i', dims, 'o'),
    `let acc = x[${offsetExpression('xOffset', 'o', strides[0]!)}];`,
    'const first = starts[i];',
    'const count = starts[i + 1] - first;',
    `for (let t = 0; t < ${maxCount}; t++) {`,
    '  if (t >= count) { break; }',
    '  acc = acc + src[sources[first + t]];',
    '}',
    'return acc;',
  ]);
}

/**
 * scatterAdd for an index repeated along some axes (see repeatedIndexLists in backend.ts): x plus, for each
 * output element, the src elements at the axis positions i listed under its key (Σ coordinate·keyStride;
 * sources[starts[key] … starts[key+1]) are the i), at the output's other coordinates.
 * Arguments: x, xOffset, starts, sources, src, srcOffset.
 */
export function scatterKeyedListsKernel(x: OperandLayout, axis: number, keyStrides: readonly number[], maxCount: number, sourcesSize: number, src: OperandLayout): KernelSpec {
  const args: [string, ArgumentType][] = [['x', 'Array'], ['xOffset', 'Float'], ['starts', 'Array'], ['sources', 'Array'], ['src', 'Array'], ['srcOffset', 'Float']];
  const srcElsewhere = src.strides.map((s, a) => (a === axis ? 0 : s));
  return build('scatterKeyed', [axis, keyStrides, ...sizeKey(x), maxCount, sourcesSize, ...sizeKey(src)], args, [
    ...decodeIndex('i', x.shape, 'o'),
    `let acc = x[${offsetExpression('xOffset', 'o', x.strides)}];`,
    `const base = ${offsetExpression('srcOffset', 'o', srcElsewhere)};`,
    `const key = ${offsetExpression('0.0', 'o', keyStrides)};`,
    'const first = starts[key];',
    'const count = starts[key + 1] - first;',
    `for (let t = 0; t < ${maxCount}; t++) {`,
    '  if (t >= count) { break; }',
    `  acc = acc + src[base + sources[first + t] * ${literal(src.strides[axis]!)}];`,
    '}',
    'return acc;',
  ]);
}

/**
 * Zeros of `size` with src added at the positions of `target`, for targets whose non-zero strides
 * never map two src positions to one element (stride-0 axes, the repeats of expand, are summed in a loop).
 * Returns null for overlapping targets (e.g. unfold with step < size); the caller then uses the host loop.
 * Arguments: src, srcOffset.
 */
export function scatterViewKernel(size: number, target: Layout, src: OperandLayout): KernelSpec | null {
  const axes = target.shape.map((_, a) => a);
  const repeated = axes.filter((a) => target.strides[a] === 0 && target.shape[a]! > 1);
  // Negative strides (flip) are walked from the other end so every stride is positive.
  let offset = target.offset;
  const placed = axes.filter((a) => target.strides[a] !== 0 && target.shape[a]! > 1).map((a) => {
    const stride = target.strides[a]!;
    if (stride < 0) offset += (target.shape[a]! - 1) * stride;
    return { axis: a, stride: Math.abs(stride), dim: target.shape[a]!, flipped: stride < 0 };
  }).sort((p, q) => q.stride - p.stride);
  // Injective when each stride exceeds the largest offset reachable by the smaller ones.
  for (let k = 0; k < placed.length; k++) {
    const reach = placed.slice(k + 1).reduce((total, p) => total + p.stride * (p.dim - 1), 0);
    if (placed[k]!.stride <= reach) return null;
  }
  const body = [`let rel = i - ${literal(offset)};`, 'if (rel < 0.0) { return 0.0; }'];
  for (const { axis, stride, dim, flipped } of placed) {
    body.push(...exactDivision('rel', literal(stride), `q${axis}`, `rest${axis}`));
    body.push(`if (q${axis} > ${literal(dim - 1)}) { return 0.0; }`);
    body.push(`rel = rest${axis};`);
    body.push(`const c${axis} = ${flipped ? `${literal(dim - 1)} - q${axis}` : `q${axis}`};`);
  }
  body.push('if (rel > 0.0) { return 0.0; }');
  const srcBase = ['srcOffset', ...placed.map(({ axis }) => `c${axis} * ${literal(src.strides[axis]!)}`)].join(' + ');
  body.push(`const srcBase = ${srcBase};`);
  const repeatDims = repeated.map((a) => target.shape[a]!);
  const repeatCount = repeatDims.reduce((p, d) => p * d, 1);
  body.push('let acc = 0.0;');
  body.push(`for (let r = 0; r < ${repeatCount}; r++) {`);
  body.push(...decodeIndex('r * 1.0', repeatDims, 'g').map((line) => `  ${line}`));
  body.push(`  acc = acc + src[${offsetExpression('srcBase', 'g', repeated.map((a) => src.strides[a]!))}];`);
  body.push('}');
  body.push('return acc;');
  return build('scatterView', [size, target.shape, target.strides, target.offset, ...sizeKey(src)], [['src', 'Array'], ['srcOffset', 'Float']], body);
}

/** Every element `value`. Arguments: value. */
export function fillKernel(): KernelSpec {
  return build('fill', [], [['value', 'Float']], ['return value + i * 0.0;']);
}
