# Test only: dandelin/vilt-b32-finetuned-vqa, ViLT-B/32 already fine-tuned
# on VQAv2 by its authors (ViLT reports 71.26 test-dev), scored on val2014
# with the official VQA accuracy, or formatted for the test-dev server.
# The checkpoint brings its answer vocabulary (config.id2label, 3,129
# answers); predictions carry that text (pred_answer_text), so the
# dataset needs no vocabulary file. Note that the checkpoint was trained on
# train2014 + most of val2014: val2014 numbers are not a held-out score.
#   python tools/test.py configs/vilt/vilt-b32-finetuned-vqa_vqav2.py \
#       checkpoints/vilt-b32-finetuned-vqa.pth   (configs/vilt/README.md)
_base_ = ['./vilt-b32_vqav2.py']

checkpoint_dir = 'checkpoints/vilt-b32-finetuned-vqa'

model = dict(pretrained_dir=checkpoint_dir, num_labels=3129)

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ViltImagePreprocess', processor_dir=checkpoint_dir),
    dict(
        type='TokenizeQuestion',
        tokenizer_dir=checkpoint_dir,
        max_length=40,
        add_special_tokens=True),
    dict(type='PackVLInputs', input_keys=('input_ids', 'pixel_values')),
]
test_dataloader = dict(
    dataset=dict(answer_vocab_file=None, pipeline=test_pipeline))
val_dataloader = test_dataloader
# the soft score needs the dataset's vocabulary (gt_answer labels)
test_evaluator = [dict(type='VQAAccuracy')]
val_evaluator = test_evaluator
