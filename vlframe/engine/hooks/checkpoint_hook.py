import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook as MMEngineCheckpointHook

from vlframe.registry import HOOKS
from vlframe.utils.checkpoint import atomic_write


@HOOKS.register_module()
class CheckpointHook(MMEngineCheckpointHook):
    """mmengine's CheckpointHook with ``last_checkpoint`` written atomically.

    The checkpoint file itself is written by rename (vlframe installs an
    atomic local file backend), and ``last_checkpoint`` is updated only
    after it is complete. mmengine rewrites ``last_checkpoint`` in place,
    so a kill at that moment leaves it empty; here it is replaced by rename
    too, so ``--resume`` always finds a complete checkpoint. Everything else
    (``interval``, ``max_keep_ckpts``, ``save_best``, ...) is mmengine's.
    """

    def _save_checkpoint_with_step(self, runner, step, meta):
        # same bookkeeping as mmengine 0.10.7; only the last write differs
        if self.max_keep_ckpts > 0 and not (
                self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                old_step = self.keep_ckpt_ids.popleft()
                if is_main_process():
                    old_path = self.file_backend.join_path(
                        self.out_dir, self.filename_tmpl.format(old_step))
                    if self.file_backend.isfile(old_path):
                        self.file_backend.remove(old_path)
                    elif self.file_backend.isdir(old_path):
                        self.file_backend.rmtree(old_path)
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        atomic_write(
            osp.join(runner.work_dir, 'last_checkpoint'),
            self.last_ckpt.encode())
