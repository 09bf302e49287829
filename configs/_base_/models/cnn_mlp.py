# CNN+MLP baseline of the RN paper: the same conv stem, the 5x5x24 map
# flattened with the question into one 256-unit layer, then f = 256-dropout-10.
model = dict(
    type='VQAModel',
    data_preprocessor=dict(
        type='VLDataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]),
    image_encoder=dict(
        type='ConvStem',
        in_channels=3,
        channels=(24, 24, 24, 24),
        norm_cfg=dict(type='BN'),
        order=('conv', 'act', 'norm')),
    fusion=dict(
        type='ConcatMLPFusion',
        in_channels=24,
        num_objects=25,
        question_dim=11,
        out_channels=256),
    head=dict(
        type='AnswerHead',
        in_channels=256,
        num_classes=10,
        hidden_dims=(256, ),
        dropout=0.5,
        loss=dict(type='CrossEntropyLoss')))
