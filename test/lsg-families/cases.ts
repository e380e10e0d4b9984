// The LSG golden cases of the BERT family (test/fixtures/<family>/<case>), shared by the golden and converter tests.
export const LSG_FAMILY_CASES = [
  ['bert', 'lsg_mlm_norm_bs16_f2_g1_t60'],
  ['bert', 'lsg_cls_pooling_bs32_f4_g4_t100'],
  ['roberta', 'lsg_mlm_stride_bs16_f2_g4_t52'],
  ['roberta', 'lsg_cls_bos_pooling_bs32_f4_g1_t100'],
  ['xlm-roberta', 'lsg_tok_block_stride_bs16_f4_g4_t84'],
  ['xlm-roberta', 'lsg_mlm_none_bs32_f2_g1_t72_mft'],
] as const;
