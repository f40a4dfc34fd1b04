"""A character-level GPT in one file, written to be read next to a lecture on transformers.

The recipe (nanoGPT's, GPT-2's): characters become ids, ids become vectors (a token
embedding plus a learned position embedding), then ``n_layer`` identical blocks each do

    x = x + attention(layer_norm(x))   # every position looks back at earlier positions
    x = x + mlp(layer_norm(x))         # every position thinks on its own

and a final layer norm + linear head turns each position's vector into logits over the
next character. "Causal" means position t may only look at positions 0..t: the
attention scores of later positions are set to -inf before the softmax, so a character
can never peek at the answer it is trained to predict.

Shapes: B = batch, T = time (characters), C = ``n_embd``, h = ``n_head``, d = C / h,
V = ``vocab_size``.

``forward(ids)`` is the fast path (PyTorch's fused attention). ``inspect(ids)`` runs the
same computation by hand and also returns what the "Look inside a GPT" view draws: the
attention maps of every layer and head, and the residual stream after every block, which
``logit_lens`` reads out with the final norm + head ("what would the model predict if it
stopped after block n?").
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class GPTConfig:
    vocab_size: int = 65  # distinct characters (tiny Shakespeare has 65)
    block_size: int = 128  # the longest context, in characters, the model can look back over
    n_layer: int = 4  # transformer blocks stacked on the residual stream
    n_head: int = 4  # attention heads per block; each looks at n_embd / n_head channels
    n_embd: int = 128  # width of the residual stream (the vector each character becomes)
    dropout: float = 0.0  # dropout on attention weights and residual branches while training
    bias: bool = True  # biases in the linear layers and layer norms (GPT-2 has them)

    def validated(self) -> "GPTConfig":
        """This config, if its numbers make a network (the width splits evenly into heads)."""
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd {self.n_embd} must be divisible by n_head {self.n_head}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position t only attends to positions ≤ t."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.dropout = config.dropout
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # queries, keys, values at once
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)  # mixes the heads back together
        self.attn_drop = nn.Dropout(config.dropout)
        self.resid_drop = nn.Dropout(config.dropout)
        # mask[t, s] is True where query t may look at key s (s ≤ t): a lower triangle
        mask = torch.tril(torch.ones(config.block_size, config.block_size, dtype=torch.bool))
        self.register_buffer("mask", mask, persistent=False)

    def _heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # each (B, T, C)
        # split the channels into heads: (B, T, C) -> (B, h, T, d)
        return tuple(t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        B, T, C = x.shape
        q, k, v = self._heads(x)  # (B, h, T, d)
        if return_attention:
            # the same computation as below, written out so the weights can be kept
            scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])  # (B, h, T, T): query row, key column
            scores = scores.masked_fill(~self.mask[:T, :T], float("-inf"))  # no looking ahead
            attention = scores.softmax(dim=-1)  # each row sums to 1
            y = self.attn_drop(attention) @ v  # (B, h, T, d): a weighted average of earlier values
        else:
            attention = None
            y = F.scaled_dot_product_attention(
                q, k, v, dropout_p=self.dropout if self.training else 0.0, is_causal=True
            )  # (B, h, T, d)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side again: (B, T, C)
        y = self.resid_drop(self.proj(y))
        return (y, attention) if return_attention else y


class MLP(nn.Module):
    """Position-wise feed-forward: widen 4×, GELU, narrow back."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.proj(F.gelu(self.fc(x))))  # (B, T, C)


class Block(nn.Module):
    """One transformer block (pre-norm): communicate (attention), then compute (MLP)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        if return_attention:
            mixed, attention = self.attn(self.ln1(x), return_attention=True)
            x = x + mixed
            return x + self.mlp(self.ln2(x)), attention
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))  # (B, T, C)


class GPT(nn.Module):
    """Token + position embeddings, ``n_layer`` blocks, final norm, linear head to V logits."""

    def __init__(self, config: GPTConfig | None = None):
        super().__init__()
        self.config = config = (config or GPTConfig()).validated()
        self.tok_emb = nn.Embedding(config.vocab_size, config.n_embd)  # one vector per character
        self.pos_emb = nn.Embedding(config.block_size, config.n_embd)  # one vector per position
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)  # not tied: safetensors-friendly
        self.apply(self._init_weights)
        # GPT-2: scale the last layer of each residual branch by 1/sqrt(2 · n_layer)
        for name, parameter in self.named_parameters():
            if name.endswith("proj.weight"):
                nn.init.normal_(parameter, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Token vector + position vector for every character: (B, T) int64 -> (B, T, C)."""
        T = ids.shape[1]
        if T > self.config.block_size:
            raise ValueError(f"sequence of {T} characters is longer than block_size {self.config.block_size}")
        positions = torch.arange(T, device=ids.device)  # (T,)
        return self.drop(self.tok_emb(ids) + self.pos_emb(positions))  # (B, T, C)

    def read_out(self, x: torch.Tensor) -> torch.Tensor:
        """Final layer norm + head: residual vectors (B, T, C) -> next-character logits (B, T, V)."""
        return self.head(self.ln_f(x))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids)  # (B, T, C)
        for block in self.blocks:
            x = block(x)  # (B, T, C)
        return self.read_out(x)  # (B, T, V)

    @torch.no_grad()
    def inspect(self, ids: torch.Tensor) -> dict[str, torch.Tensor | list[torch.Tensor]]:
        """Everything the view draws, computed by hand (no fused kernels), in eval mode.

        Returns ``logits`` (B, T, V); ``attention``: a list of n_layer tensors (B, h, T, T)
        whose rows sum to 1; ``residual``: a list of n_layer + 1 tensors (B, T, C), the
        stream after the embeddings and after each block; ``token_embedding`` and
        ``position_embedding`` (B, T, C) and (T, C).
        """
        T = ids.shape[1]
        token = self.tok_emb(ids)  # (B, T, C)
        position = self.pos_emb(torch.arange(T, device=ids.device))  # (T, C)
        x = self.embed(ids)
        residual, attention = [x], []
        for block in self.blocks:
            x, weights = block(x, return_attention=True)
            residual.append(x)
            attention.append(weights)
        return {
            "logits": self.read_out(x),
            "attention": attention,
            "residual": residual,
            "token_embedding": token,
            "position_embedding": position,
        }

    @torch.no_grad()
    def logit_lens(self, residual: list[torch.Tensor]) -> torch.Tensor:
        """Read every stage of the residual stream out as if it were the last one.

        ``residual`` is ``inspect(ids)["residual"]``; returns (n_layer + 1, B, T, V) logits:
        row 0 is what the embeddings alone predict, the last row is the model's real output.
        """
        return torch.stack([self.read_out(x) for x in residual])
