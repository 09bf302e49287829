# The VQA data pipeline of configs/vilt/vilt-b32_vqav2.py (JPEG decode,
# ViltImageProcessor resize to shorter side 384 + normalise, BERT WordPiece
# tokenisation, collate) on a generated VQA v2-format set of 384x384 JPEGs,
# with 2 dataloader workers: what tools/analysis_tools/benchmark.py
# --data-only times (docs/benchmarks.md). No checkpoint is needed: the image
# processor is built from the recipe's arguments and the tokenizer from the
# generated questions. Prepare the data once:
#   python -m vlframe.datasets.generators.vqa_format \
#       --out-dir data/vqa_synthetic_384 --split train2014 \
#       --num-images 1000 --image-size 384 --features
#   python tools/dataset_converters/build_question_vocab.py \
#       --vqa-questions data/vqa_synthetic_384/v2_OpenEnded_mscoco_train2014_questions.json \
#       --out-dir data/vqa_synthetic_384/tokenizer
_base_ = ['./vilt-b32_vqav2.py']

data_root = 'data/vqa_synthetic_384'
tokenizer_dir = data_root + '/tokenizer'

train_pipeline = [
    dict(type='LoadImageFromFile'),
    # ViltImageProcessor with the vilt-b32 preprocessor_config.json values
    dict(
        type='ViltImagePreprocess',
        size=dict(shortest_edge=384),
        size_divisor=32,
        resample='bicubic'),
    dict(
        type='TokenizeQuestion',
        tokenizer_dir=tokenizer_dir,
        max_length=40,
        add_special_tokens=True),
    dict(type='PackVLInputs', input_keys=('input_ids', 'pixel_values')),
]
train_dataloader = dict(
    num_workers=2,
    dataset=dict(
        data_root=data_root,
        pipeline=train_pipeline))
