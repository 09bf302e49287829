from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vlframe.registry import HOOKS


class AnswerVocabError(ValueError):
    """A dataset's answer vocabulary does not fit the model's answer head."""


@HOOKS.register_module()
class AnswerVocabCheckHook(Hook):
    """Check the datasets' answer vocabulary against the model's answer
    classifier before training, validation and testing (as mmdetection's
    ``NumClassCheckHook`` does for detection heads).

    A vocabulary larger than the classifier fails at the first out-of-range
    label; a smaller one, or one of the right size in another order, trains
    and tests without an error and gives wrong answers. The hook asks the
    model, which knows what its classifier was built or fine-tuned with:
    models that define ``check_answer_vocab(classes, source, training)``
    (``ViltVQA``) are checked; others are left alone.
    """

    def _check(self, runner, dataloader, training: bool) -> None:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        check = getattr(model, 'check_answer_vocab', None)
        dataset = getattr(dataloader, 'dataset', None)
        classes = (getattr(dataset, 'metainfo', None) or {}).get('classes')
        if check is None or classes is None:
            return
        source = type(dataset).__name__
        for attr in ('answer_vocab_file', 'ann_file', 'data_root'):
            if getattr(dataset, attr, None):
                source += f' ({attr} {getattr(dataset, attr)})'
                break
        try:
            check(list(classes), source=source, training=training)
        except ValueError as err:
            # the tools print this one line instead of a traceback
            raise AnswerVocabError(str(err)) from None

    def before_train(self, runner) -> None:
        self._check(runner, runner.train_dataloader, training=True)

    def before_val(self, runner) -> None:
        self._check(runner, runner.val_dataloader, training=False)

    def before_test(self, runner) -> None:
        self._check(runner, runner.test_dataloader, training=False)
