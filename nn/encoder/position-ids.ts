/**
 * The two ways a BERT-family embeddings layer numbers positions when the caller gives no position
 * ids: BERT's (0..seq-1) and RoBERTa's (counted from the pad id, HuggingFace's
 * create_position_ids_from_input_ids). XLM-RoBERTa, CamemBERT and the LSG variants use one of these.
 */
import { Tensor, arange, tensor } from '../../engine/index.js';

/** The config fields a numbering reads. */
interface PositionSettings {
  readonly padTokenId: number;
  readonly maxPositionEmbeddings: number;
}

/** How a numbering shapes the position table and fills in missing position ids. */
export interface PositionNumbering {
  /** The position table's padding row, or null for none. */
  paddingIdx(config: PositionSettings): number | null;
  /** Position ids for (batch, seq) input ids: (batch | 1, seq) int32. */
  defaultIds(inputIds: Tensor, config: PositionSettings): Tensor;
  /** Rows of the position table in front of the first real position; the rest hold the longest input. */
  offset(config: PositionSettings): number;
}

/**
 * `fromZero`: BERT's, 0..seq-1 on every row, padding or not, no padding row.
 * `afterPadTokenId`: RoBERTa's, real tokens count from padTokenId + 1, padding gets padTokenId
 * (the table's padding row), and the rows up to padTokenId are offsets, not positions.
 */
export type PositionIdScheme = 'fromZero' | 'afterPadTokenId';

export const POSITION_NUMBERINGS: Record<PositionIdScheme, PositionNumbering> = {
  fromZero: {
    paddingIdx: () => null,
    defaultIds: (inputIds) => arange(0, inputIds.shape[1]!, 1, { dtype: 'int32' }).unsqueeze(0),   // (1, seq)
    offset: () => 0,
  },
  afterPadTokenId: {
    paddingIdx: (config) => config.padTokenId,
    defaultIds: (inputIds, config) => robertaPositionIds(inputIds, config.padTokenId),            // (batch, seq)
    offset: (config) => config.padTokenId + 1,
  },
};

/**
 * pos = pad + cumsum(id != pad) · (id != pad), per row: real tokens get pad+1, pad+2, …, padding
 * gets pad. Counted from the ids, not the attention mask, as HuggingFace does (a pad id inside a
 * sequence shifts the positions after it).
 * @example robertaPositionIds(tensor([[0, 5, 2, 1]], { dtype: 'int32' }), 1) // [[2, 3, 4, 1]]
 */
export function robertaPositionIds(inputIds: Tensor, padTokenId: number): Tensor {
  const [batch, seqLength] = inputIds.shape as [number, number];
  const ids = inputIds.contiguous().toTypedArray() as Int32Array;
  const positions = new Int32Array(batch * seqLength);
  for (let row = 0; row < batch; row++) {
    let count = 0;
    for (let column = 0; column < seqLength; column++) {
      const index = row * seqLength + column;
      if (ids[index] === padTokenId) positions[index] = padTokenId;
      else positions[index] = padTokenId + ++count;
    }
  }
  return tensor(positions, { shape: [batch, seqLength], dtype: 'int32' });
}
