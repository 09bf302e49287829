# The same baseline on COCO images through a frozen ImageNet VGG-16 (its fc7
# after ReLU, TorchvisionBackbone), for users without pre-extracted
# features. Put torchvision's VGG-16 weights at
# checkpoints/vgg16-397923af.pth (the URL of
# torchvision.models.VGG16_Weights.IMAGENET1K_V1); nothing is downloaded.
# Every image passes through VGG-16 in every epoch: extracting the features
# once (vqa-lstm_vgg16-fc7_vqav1.py) is much cheaper.
_base_ = './vqa-lstm_vgg16-fc7_vqav1.py'

model = dict(
    # torchvision's ImageNet normalisation, in the 0-255 scale, on RGB
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),
    image_encoder=dict(
        _delete_=True,
        type='TorchvisionBackbone',
        name='vgg16',
        checkpoint='checkpoints/vgg16-397923af.pth',
        frozen=True))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='TokenizeQuestion', tokenizer_dir={{_base_.tokenizer_dir}}),
    dict(type='PackVLInputs', input_keys=('input_ids', ))
]
test_pipeline = train_pipeline

train_dataloader = dict(
    dataset=dict(
        feature_file=None, img_prefix='train2014', pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        feature_file=None, img_prefix='val2014', pipeline=test_pipeline))
test_dataloader = val_dataloader
