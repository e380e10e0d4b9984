export { RobertaConfig, XLMRobertaConfig, CamembertConfig, ROBERTA_DEFAULTS } from './config.js';
export { RobertaEmbeddings, RobertaModel, XLMRobertaModel, CamembertModel } from './model.js';
export { RobertaLMHead, RobertaClassificationHead, ROBERTA_MLM_TIED_KEYS } from './heads.js';
export {
  RobertaForMaskedLM, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaForQuestionAnswering, RobertaForMultipleChoice,
  XLMRobertaForMaskedLM, XLMRobertaForSequenceClassification, XLMRobertaForTokenClassification, XLMRobertaForQuestionAnswering, XLMRobertaForMultipleChoice,
  CamembertForMaskedLM, CamembertForSequenceClassification, CamembertForTokenClassification, CamembertForQuestionAnswering, CamembertForMultipleChoice,
} from './tasks.js';
