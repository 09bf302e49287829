"""Pre-train a question encoder to tell which words a question has.

Trained only on the VQA answers, the CNN+LSTM question encoder of
Sort-of-CLEVR starts with the six colours' questions almost alike (the
colour word is one of 8-10 words) and the model stays on a plateau that
ignores the colour (configs/vqa_lstm/README.md). Before the VQA training
the encoder can instead learn to reconstruct each training question's bag
of words: a linear decoder on its encoding predicts, for every vocabulary
word, whether the question contains it (binary cross-entropy on the
multi-hot vector). Then every word, the colour among them, is readable
from the encoding by construction. Only the training questions' text is
used: no image, no answer.
"""
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmengine.utils import ProgressBar
from torch import nn


def bag_of_words_targets(input_ids: torch.Tensor,
                         attention_mask: torch.Tensor, vocab_size: int,
                         ignore_ids=(0, )) -> torch.Tensor:
    """(U, L) ids and mask -> (U, vocab_size) 0/1 word presence, with the
    ``ignore_ids`` (padding) columns left at 0."""
    present = attention_mask.bool()
    targets = torch.zeros(len(input_ids), vocab_size)
    rows = torch.arange(len(input_ids)).unsqueeze(1).expand_as(input_ids)
    targets[rows[present], input_ids[present]] = 1.0
    targets[:, list(ignore_ids)] = 0.0
    return targets


def pretrain_bag_of_words(encoder: nn.Module,
                          input_ids: torch.Tensor,
                          attention_mask: torch.Tensor,
                          steps: int = 300,
                          lr: float = 1e-3,
                          batch_size: Optional[int] = None,
                          padding_idx: int = 0,
                          seed: int = 0,
                          progress: bool = True) -> Dict[str, float]:
    """Train ``encoder`` (and a throw-away linear decoder) with Adam to
    predict each question's words; returns the final loss and how many
    questions are reconstructed exactly.

    Args:
        encoder: maps (B, L) ids and (B, L) mask to (B, C); needs
            ``vocab_size`` and ``out_channels`` attributes
            (``LSTMQuestionEncoder``).
        input_ids, attention_mask: (U, L) the distinct training questions.
        steps: optimizer steps.
        lr: Adam learning rate.
        batch_size: questions per step; None (or >= U) uses all of them
            every step, otherwise a random draw of this many per step.
        padding_idx: the id whose presence is not predicted.
        seed: seeds the decoder's initialisation and the draws.
    """
    if steps < 1:
        raise ValueError(f'steps must be >= 1, got {steps}')
    if input_ids.shape != attention_mask.shape or input_ids.dim() != 2:
        raise ValueError(
            'input_ids and attention_mask must both be (U, L), got '
            f'{tuple(input_ids.shape)} and {tuple(attention_mask.shape)}')
    generator = torch.Generator().manual_seed(seed)
    decoder = nn.Linear(encoder.out_channels, encoder.vocab_size)
    with torch.no_grad():
        bound = 1 / encoder.out_channels**0.5
        decoder.weight.uniform_(-bound, bound, generator=generator)
        decoder.bias.uniform_(-bound, bound, generator=generator)
    targets = bag_of_words_targets(input_ids, attention_mask,
                                   encoder.vocab_size, (padding_idx, ))
    params = [p for p in encoder.parameters() if p.requires_grad]
    if not params:
        raise ValueError('the encoder has no trainable parameter (built '
                         'with frozen=True?): there is nothing to pre-train')
    optimizer = torch.optim.Adam(params + list(decoder.parameters()), lr=lr)
    num_questions = len(input_ids)
    full_batch = batch_size is None or batch_size >= num_questions
    encoder.train()
    bar = ProgressBar(steps) if progress else None
    for _ in range(steps):
        if full_batch:
            rows = slice(None)
        else:
            rows = torch.randint(
                num_questions, (batch_size, ), generator=generator)
        logits = decoder(encoder(input_ids[rows], attention_mask[rows]))
        loss = F.binary_cross_entropy_with_logits(logits, targets[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if bar is not None:
            bar.update()
    if bar is not None:
        print()
    encoder.eval()
    with torch.no_grad():
        logits = torch.cat([
            decoder(encoder(input_ids[i:i + 4096],
                            attention_mask[i:i + 4096]))
            for i in range(0, num_questions, 4096)
        ])
        final_loss = F.binary_cross_entropy_with_logits(logits, targets)
        exact = ((logits > 0).float() == targets).all(dim=1)
    return dict(
        loss=float(final_loss),
        exact_reconstruction=float(exact.float().mean()),
        num_questions=num_questions)
