# "deeper LSTM Q + norm I" (Antol et al. 2015; the VQA v1 baseline of
# Lu et al.'s VQA_LSTM_CNN): question words embedded in 300 dims (+ tanh),
# a 2-layer LSTM 512 whose final h and c of both layers (2048) go through
# fc + tanh to 1024; the l2-normalised 4096-d VGG-16 fc7 feature through
# fc + tanh to 1024; their element-wise product, dropout 0.5, fc 1024 +
# tanh, softmax over the 1000 most frequent answers.
# Set tokenizer_dir (and the pipeline's) to the directory
# build_question_vocab.py wrote from the training questions.
tokenizer_dir = 'data/vqa/tokenizer'

model = dict(
    type='VQAModel',
    data_preprocessor=dict(type='VLDataPreprocessor', pad_token_id=0),
    # pre-extracted features (inputs['img_feat']): no image encoder; for
    # images set image_encoder=dict(type='TorchvisionBackbone',
    # name='vgg16', checkpoint='checkpoints/vgg16-397923af.pth',
    # frozen=True) and ImageNet mean/std in the data preprocessor
    image_encoder=None,
    image_neck=dict(
        type='L2NormProjection',
        in_channels=4096,
        out_channels=1024,
        l2_normalize=True,
        act='tanh'),
    question_encoder=dict(
        type='LSTMQuestionEncoder',
        tokenizer_dir=tokenizer_dir,
        embed_dims=300,
        embed_act='tanh',
        glove_file=None,
        freeze_embedding=False,
        hidden_size=512,
        num_layers=2,
        bidirectional=False,
        output='hidden_cell',
        out_channels=1024,
        out_act='tanh'),
    fusion=dict(type='ElementwiseProductFusion', dropout=0.0),
    head=dict(
        type='AnswerHead',
        in_channels=1024,
        num_classes=1000,
        hidden_dims=(1024, ),
        act='tanh',
        dropout_before_hidden=0.5,
        dropout=0.0,
        # VQA soft scores, normalised per question (CrossEntropyLoss doc)
        loss=dict(type='CrossEntropyLoss')))
