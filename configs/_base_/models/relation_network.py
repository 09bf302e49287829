# Relation Network, the Sort-of-CLEVR model of Santoro et al. (2017) as the
# public PyTorch reimplementation sizes it: 4 conv layers of 24 channels,
# g = 4 x 256 over all pairs of the 25 cells (+ coordinates) and the
# question, f = 256-256-dropout 0.5-10.
model = dict(
    type='VQAModel',
    # images enter in [0, 1], as in the reference
    data_preprocessor=dict(
        type='VLDataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]),
    image_encoder=dict(
        type='ConvStem',
        in_channels=3,
        channels=(24, 24, 24, 24),
        norm_cfg=dict(type='BN'),
        order=('conv', 'act', 'norm')),
    fusion=dict(
        type='RelationNetworkFusion',
        in_channels=24,
        question_dim=11,
        hidden_dims=(256, 256, 256, 256),
        with_coordinates=True),
    head=dict(
        type='AnswerHead',
        in_channels=256,
        num_classes=10,
        hidden_dims=(256, 256),
        dropout=0.5,
        loss=dict(type='CrossEntropyLoss')))
