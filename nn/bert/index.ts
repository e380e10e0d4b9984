export { BertConfig, BERT_DEFAULTS, type BertConfigOptions, type BertConfigClass } from './config.js';
export { BertEmbeddings } from './embeddings.js';
export { BertSelfAttention, BertResidualOutput, BertAttention, BertIntermediate, BertLayer, BertEncoder, BertPooler } from './encoder.js';
export { BertPreTrainedModel, BertModel, BertTaskModel, type BertBaseModelClass, type BertInputs, type BertModelOutput, type BertModelOptions } from './model.js';
export { BertPredictionHeadTransform, BertLMPredictionHead, BertPreTrainingHeads, BERT_MLM_TIED_KEYS } from './heads.js';
export {
  BertForMaskedLM, BertForPreTraining, BertForNextSentencePrediction, BertForSequenceClassification,
  BertForTokenClassification, BertForQuestionAnswering, BertForMultipleChoice,
} from './tasks.js';
