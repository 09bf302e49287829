import os.path as osp
from typing import Optional

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from vlframe.registry import MODELS
from .glove import load_glove_vectors

_ACTIVATIONS = {'tanh': nn.Tanh, 'relu': nn.ReLU, None: nn.Identity}
OUTPUT_MODES = ('hidden_cell', 'hidden', 'last_hidden')


def _activation(name: Optional[str], arg: str) -> nn.Module:
    if name not in _ACTIVATIONS:
        raise ValueError(f'{arg} must be one of {list(_ACTIVATIONS)}, got '
                         f'{name!r}')
    return _ACTIVATIONS[name]()


@MODELS.register_module()
class LSTMQuestionEncoder(BaseModule):
    """Word embedding + (Bi)LSTM question encoder.

    The "deeper LSTM Q" of Antol et al. (2015, the VQA v1 baseline):
    each word is embedded in 300 dims by a fully connected layer (an
    embedding lookup) with tanh, a 2-layer LSTM of 512 units reads the
    question, and the final hidden and cell states of both layers are
    concatenated (2 layers x (h, c) x 512 = 2048) and mapped to 1024 by a
    fully connected layer with tanh. Padding does not change the result:
    the sequences are packed with their true lengths
    (``attention_mask.sum(1)``), so the final states are those after each
    question's last word.

    A batch often repeats a question word for word (Sort-of-CLEVR has 36
    distinct questions; VQA repeats "what color is the ...?"): each
    distinct (ids, mask) row is encoded once and its encoding shared. The
    result is the same as encoding every row (except that, with
    ``lstm_dropout`` in training, the repeats of a question share one
    dropout mask); on the CPU the LSTM's cost is mostly per time step, not
    per row, so this is what lets large batches pay for the LSTM once.

    The embedding can start from GloVe vectors (``glove_file``; the
    vocabulary is read from ``tokenizer_dir``, whose whole-word ids
    ``build_question_vocab.py`` made for this) and can be frozen.

    Args:
        vocab_size: number of token ids; read from ``tokenizer_dir`` when
            None (if both are given they must agree).
        tokenizer_dir: the tokenizer directory the pipeline uses.
        embed_dims: word embedding size (GloVe's dimension when
            ``glove_file`` is set).
        embed_act: activation on the embedded words ('tanh' as the paper's
            "fully-connected layer + tanh"; None for a plain lookup).
        glove_file: a ``glove.6B.<dim>d.txt`` to initialise the embedding.
        freeze_embedding: keep the embedding fixed during training.
        hidden_size: LSTM units per direction.
        num_layers: LSTM layers.
        bidirectional: a BiLSTM (the RN-NLVR reimplementation: 64 units).
        lstm_dropout: dropout between LSTM layers.
        forget_bias: if set, the forget gates' bias starts at this value in
            every layer (``bias_ih`` part; the ``bias_hh`` part at 0) instead
            of PyTorch's uniform draw around 0. Gers et al. (2000) and
            Jozefowicz et al. (2015) start it at 1 so that the cell keeps
            early words: at PyTorch's init each step forgets half of the
            cell, and "Is the red object on the left?" ends with the
            colour ~3% of its encoding's spread (~14% with 1.0).
        output: what summarises the question, before the projection:
            ``'hidden_cell'``: final h and c of every layer and direction,
            concatenated (the deeper LSTM Q: 2 x 2 x 512 = 2048);
            ``'hidden'``: final h of every layer and direction;
            ``'last_hidden'``: final h of the last layer, both directions.
        out_channels: width of the fully connected projection (1024), or
            None for no projection (the summary itself is the output).
        out_act: activation after the projection ('tanh').
        out_norm: 'LN' puts a LayerNorm between the projection and its
            activation (None: the paper's fc + tanh). Trained with Adam at
            1e-3 on Sort-of-CLEVR, the paper's fc + tanh saturates: 92% of
            the 1024 units of the question encodings were beyond |0.99|
            after one epoch and all of them after two, and then no gradient
            reaches the LSTM (configs/vqa_lstm/README.md).
        out_dropout: dropout before the projection.
        padding_idx: the [PAD] id (its embedding stays zero).
        pretrained: a file of this encoder's weights (``state_dict`` with
            this module's own keys), loaded strictly when the model's
            weights are initialised (``init_weights``; a resumed or tested
            checkpoint then overwrites them as usual). It replaces the
            forget-bias and GloVe initialisation.
            ``tools/misc/pretrain_question_encoder.py`` writes such a file.
        frozen: no parameter of the encoder is trained (``requires_grad``
            off) and it stays in eval mode (no dropout).
    """

    def __init__(self,
                 vocab_size: Optional[int] = None,
                 tokenizer_dir: Optional[str] = None,
                 embed_dims: int = 300,
                 embed_act: Optional[str] = 'tanh',
                 glove_file: Optional[str] = None,
                 freeze_embedding: bool = False,
                 hidden_size: int = 512,
                 num_layers: int = 2,
                 bidirectional: bool = False,
                 lstm_dropout: float = 0.0,
                 forget_bias: Optional[float] = None,
                 output: str = 'hidden_cell',
                 out_channels: Optional[int] = 1024,
                 out_act: Optional[str] = 'tanh',
                 out_dropout: float = 0.0,
                 out_norm: Optional[str] = None,
                 padding_idx: int = 0,
                 pretrained: Optional[str] = None,
                 frozen: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if output not in OUTPUT_MODES:
            raise ValueError(f'output must be one of {OUTPUT_MODES}, got '
                             f'{output!r}')
        words = None
        if tokenizer_dir is not None:
            from vlframe.datasets.text_vocab import tokenizer_vocab
            words = tokenizer_vocab(tokenizer_dir)
            if vocab_size is not None and vocab_size != len(words):
                raise ValueError(
                    f'vocab_size={vocab_size} but the tokenizer in '
                    f'{tokenizer_dir} has {len(words)} tokens; drop '
                    'vocab_size to take it from the tokenizer')
            vocab_size = len(words)
        if vocab_size is None:
            raise ValueError('LSTMQuestionEncoder needs vocab_size or '
                             'tokenizer_dir')
        if glove_file is not None and words is None:
            raise ValueError('glove_file needs tokenizer_dir: the GloVe rows '
                             'are looked up by the tokenizer\'s words')
        self.vocab_size = vocab_size
        self.glove_file = glove_file
        self.freeze_embedding = freeze_embedding
        self.output = output

        self.embedding = nn.Embedding(
            vocab_size, embed_dims, padding_idx=padding_idx)
        self.embed_act = _activation(embed_act, 'embed_act')
        self.lstm = nn.LSTM(
            embed_dims,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=lstm_dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional)
        self.forget_bias = forget_bias
        self._init_forget_bias()
        directions = 2 if bidirectional else 1
        summary_dims = {
            'hidden_cell': 2 * num_layers * directions * hidden_size,
            'hidden': num_layers * directions * hidden_size,
            'last_hidden': directions * hidden_size,
        }[output]
        if out_norm not in (None, 'LN'):
            raise ValueError(f"out_norm must be None or 'LN', got "
                             f'{out_norm!r}')
        if out_channels is None:
            self.projection = None
            self.out_channels = summary_dims
        else:
            layers = [
                nn.Dropout(out_dropout),
                nn.Linear(summary_dims, out_channels)
            ]
            if out_norm == 'LN':
                layers.append(nn.LayerNorm(out_channels))
            layers.append(_activation(out_act, 'out_act'))
            self.projection = nn.Sequential(*layers)
            self.out_channels = out_channels
        self._glove_vectors: Optional[torch.Tensor] = None
        if glove_file is not None:
            self.load_glove(glove_file, words)
        if freeze_embedding:
            self.embedding.weight.requires_grad_(False)
        self.pretrained = pretrained
        self.frozen = frozen
        if frozen:
            self.requires_grad_(False)
            self.train(False)

    def _init_forget_bias(self) -> None:
        if self.forget_bias is None:
            return
        hidden = self.lstm.hidden_size
        with torch.no_grad():
            # PyTorch packs the gates as (input, forget, cell, output)
            for name, bias in self.lstm.named_parameters():
                if name.startswith('bias_ih'):
                    bias[hidden:2 * hidden].fill_(self.forget_bias)
                elif name.startswith('bias_hh'):
                    bias[hidden:2 * hidden].zero_()

    def load_glove(self, glove_file: str, words) -> int:
        """Copy GloVe vectors into the embedding; returns the number of
        vocabulary words the file does not have (they stay zero)."""
        vectors, num_missing = load_glove_vectors(
            glove_file, words, self.embedding.embedding_dim)
        # kept to restore them after any re-initialisation (init_weights)
        self._glove_vectors = vectors
        with torch.no_grad():
            self.embedding.weight.copy_(vectors)
        print_log(
            f'LSTMQuestionEncoder: GloVe vectors from {glove_file} for '
            f'{len(words) - num_missing} of {len(words)} tokens; '
            f'{num_missing} (the special tokens included) have none and '
            'start at zero', logger='current')
        return num_missing

    def init_weights(self) -> None:
        super().init_weights()
        if self.pretrained is not None:
            self._load_pretrained()
            return
        self._init_forget_bias()
        # the Runner initialises weights after the model is built, and an
        # init_cfg of a parent module may cover the embedding: the GloVe
        # vectors are the embedding's initialisation and are put back
        if self._glove_vectors is not None:
            with torch.no_grad():
                self.embedding.weight.copy_(self._glove_vectors)

    def _load_pretrained(self) -> None:
        from vlframe.utils.checkpoint import load_model_weights
        if not osp.isfile(self.pretrained):
            raise FileNotFoundError(
                f'LSTMQuestionEncoder: pretrained weights {self.pretrained} '
                'do not exist; write them with python tools/misc/'
                'pretrain_question_encoder.py CONFIG (see '
                'configs/vqa_lstm/README.md)')
        load_model_weights(self, self.pretrained)
        print_log(
            f'LSTMQuestionEncoder: weights loaded from {self.pretrained}'
            + (' (frozen)' if self.frozen else ''),
            logger='current')

    def train(self, mode: bool = True) -> 'LSTMQuestionEncoder':
        # a frozen encoder keeps eval mode when the model is set to train
        return super().train(mode and not self.frozen)

    def forward(self,
                input_ids: torch.Tensor,
                attention_mask: Optional[torch.Tensor] = None
                ) -> torch.Tensor:
        """(B, L) ids and (B, L) mask (1 = token) -> (B, out_channels)."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        lengths = attention_mask.sum(dim=1).long().cpu()  # (B,)
        if int(lengths.min()) < 1:
            raise ValueError(
                'LSTMQuestionEncoder got a question with no tokens '
                f'(lengths {lengths.tolist()}); every question needs at '
                'least one word')
        if int(input_ids.max()) >= self.vocab_size:
            raise ValueError(
                f'token id {int(input_ids.max())} is outside the embedding '
                f'of {self.vocab_size} tokens: the tokenizer of the pipeline '
                'and the encoder\'s vocab_size / tokenizer_dir disagree')
        # encode each distinct question once (class doc): (U, L) rows
        rows, row_of_sample = torch.unique(
            torch.cat([input_ids, attention_mask.to(input_ids)], dim=1),
            dim=0,
            return_inverse=True)
        num_tokens = input_ids.shape[1]
        input_ids = rows[:, :num_tokens]  # (U, L)
        lengths = rows[:, num_tokens:].sum(dim=1).cpu()  # (U,)
        return self._encode(input_ids, lengths)[row_of_sample]  # (B, C)

    def _encode(self, input_ids: torch.Tensor,
                lengths: torch.Tensor) -> torch.Tensor:
        """(U, L) ids and (U,) lengths -> (U, out_channels)."""
        words = self.embed_act(self.embedding(input_ids))  # (U, L, E)
        packed = pack_padded_sequence(
            words, lengths, batch_first=True, enforce_sorted=False)
        _, (hidden, cell) = self.lstm(packed)  # 2 x (layers * dirs, U, H)
        if self.output == 'hidden_cell':
            states = torch.cat([hidden, cell], dim=0)  # (2 * l * d, U, H)
        elif self.output == 'hidden':
            states = hidden  # (l * d, U, H)
        else:
            directions = 2 if self.lstm.bidirectional else 1
            states = hidden[-directions:]  # (d, U, H)
        summary = states.transpose(0, 1).flatten(1)  # (U, S)
        if self.projection is None:
            return summary
        return self.projection(summary)  # (U, out_channels)
