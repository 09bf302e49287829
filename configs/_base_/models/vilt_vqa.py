# ViLT-B/32 (Kim et al. 2021) for VQA through transformers'
# ViltForQuestionAnswering: the pre-trained dandelin/vilt-b32-mlm
# (12 layers, hidden 768, 32x32 patches) with a new answer classifier
# (hidden -> 2 x hidden -> LayerNorm -> GELU -> answers), as ViLT fine-tunes
# it on VQAv2. Loaded from a local directory, never downloaded; a missing
# directory is an error that says what to put there (configs/vilt/README.md).
checkpoint_dir = 'checkpoints/vilt-b32-mlm'

model = dict(
    type='ViltVQA',
    pretrained_dir=checkpoint_dir,
    # the 3,129-answer VQAv2 vocabulary (answers of >= 9 train+val questions)
    num_labels=3129,
    # ViLT's drop_rate 0.1 (vilt/config.py); the hub config.json says 0.0
    config_overrides=dict(hidden_dropout_prob=0.1),
    # pads token ids ([PAD] = 0 in bert-base-uncased) with attention_mask and
    # images to the largest of the batch with pixel_mask; no normalisation
    # here, ViltImagePreprocess already normalised pixel_values
    data_preprocessor=dict(type='VLDataPreprocessor', pad_token_id=0))
