# Relation Network on Cornell NLVR, with the architecture of the public
# Keras reimplementation (Alan-Lee123/relation-network, as run and reported
# in the 2017 blog post that got 93% train / 51.6% dev accuracy):
# - image 50x200; 4 x [conv 3x3 stride 1, BN, ReLU] of 16, 16, 16, 32
#   channels with 4x4, 3x3, 2x2 max-pooling after the first three blocks:
#   a 2x8 map, 16 cells of 32 features (no coordinates, as there);
# - question: 50-d GloVe word vectors, frozen, into a BiLSTM of 64 units
#   per direction, the final states of both concatenated (128-d);
# - g: 3 x [Linear 128, BN, ReLU] over all 16 x 16 ordered cell pairs plus
#   the question (input 32 + 32 + 128 = 192), summed over pairs;
# - f: 2 x [Linear 128, BN, ReLU, dropout 0.5], then one logit and a
#   sigmoid, binary cross-entropy.
# Not carried over: the BiLSTM's recurrent dropout 0.25 and recurrent L2
# (torch's LSTM has neither; weight decay in configs/rn/rn_nlvr.py), the
# input standardisation by the training images' mean / std (BN follows the
# first conv; images enter in [0, 1] here).
#
# The word vectors: glove.6B.50d.txt from glove.6B.zip
# (https://nlp.stanford.edu/projects/glove/) at data/glove/; with
# glove_file=None (and freeze_embedding=False) the embedding is learned.
model = dict(
    type='VQAModel',
    data_preprocessor=dict(
        type='VLDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        pad_token_id=0),
    image_encoder=dict(
        type='ConvStem',
        in_channels=3,
        channels=(16, 16, 16, 32),
        kernel_size=3,
        stride=1,
        padding=1,
        norm_cfg=dict(type='BN'),
        order=('conv', 'norm', 'act'),
        pool_sizes=(4, 3, 2)),
    question_encoder=dict(
        type='LSTMQuestionEncoder',
        # the dataset config's tokenizer (its comment: how to build it)
        tokenizer_dir='data/nlvr/tokenizer',
        embed_dims=50,
        embed_act=None,
        glove_file='data/glove/glove.6B.50d.txt',
        freeze_embedding=True,
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        output='last_hidden',
        out_channels=None),
    fusion=dict(
        type='RelationNetworkFusion',
        in_channels=32,
        question_dim=128,
        hidden_dims=(128, 128, 128),
        with_coordinates=False,
        with_norm=True),
    head=dict(
        type='BinaryAnswerHead',
        in_channels=128,
        hidden_dims=(128, 128),
        hidden_norm=True,
        dropout_after_hidden=0.5,
        dropout=0.0,
        loss=dict(type='BinaryCrossEntropyLoss')))
