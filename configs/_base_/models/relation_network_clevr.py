# Relation Network on CLEVR from pixels, the setup of Santoro et al. (2017,
# Appendix): 128x128 images; 4 conv layers of 24 kernels (3x3, stride 2,
# padding 1; ReLU and batch norm), an 8x8 map of 64 cells, each tagged
# with its coordinates; questions through a word lookup table and an LSTM
# of 128 units (its final state); g = 4 x 256 over all 64 x 64 ordered
# cell pairs plus the question; f = 256, 256, dropout 0.5, softmax over
# CLEVR's 28 answers (the paper writes 29 output units).
# The paper gives no word-embedding size for CLEVR; 32 is the size of its
# bAbI model and of the public reproduction that matched its CLEVR
# accuracy (mesnico/RelationNetworks-CLEVR).
model = dict(
    type='VQAModel',
    # images enter in [0, 1]
    data_preprocessor=dict(
        type='VLDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        pad_token_id=0),
    image_encoder=dict(
        type='ConvStem',
        in_channels=3,
        channels=(24, 24, 24, 24),
        kernel_size=3,
        stride=2,
        padding=1,
        norm_cfg=dict(type='BN'),
        order=('conv', 'act', 'norm')),
    question_encoder=dict(
        type='LSTMQuestionEncoder',
        # the dataset config's tokenizer (its comment: how to build it)
        tokenizer_dir='data/clevr/tokenizer',
        embed_dims=32,
        embed_act=None,
        glove_file=None,
        hidden_size=128,
        num_layers=1,
        bidirectional=False,
        output='last_hidden',
        out_channels=None),
    fusion=dict(
        type='RelationNetworkFusion',
        in_channels=24,
        question_dim=128,
        hidden_dims=(256, 256, 256, 256),
        with_coordinates=True),
    head=dict(
        type='AnswerHead',
        in_channels=256,
        num_classes=28,
        hidden_dims=(256, 256),
        dropout=0.5,
        loss=dict(type='CrossEntropyLoss')))
