"""One-token-at-a-time inference for an embedding -> stacked LSTM -> linear head model, on the CPU.

Calling ``nn.LSTM`` once per token is slow on the CPU: every call goes through oneDNN's RNN layer
(~1 ms per layer at 384 hidden, whatever the batch). ``FastLSTMStep`` snapshots the weights as numpy
arrays and runs a whole step (every layer and the head) in one single-threaded numba kernel.

- The embedding is folded into layer 0: ``table[t] = W_ih0 @ emb[t] + b_ih0 + b_hh0`` is one row lookup
  per token, so layer 0 multiplies only ``W_hh0`` (11 % fewer multiply-adds per step at 3x384, embed 256).
- At batch 1 a step is a chain of matrix-vector products that stream every weight from the L3 cache
  (12 MB in float32 at 3x384; L2 is 1 MB per core): memory-bound. ``precision="int8"`` stores the matrices as
  int8 with one float32 scale per row (symmetric, ``w ~= q * scale``) and converts them to float32 in
  the kernel: 4x less to stream. Activations, the folded embedding table, biases, the gates and the
  cell state stay float32 -- weight-only quantisation, more accurate than PyTorch's ``quantize_dynamic``,
  which also rounds the activations to 8 bits. ``int8_reference`` builds the nn.LSTM/nn.Linear that
  computes exactly what the int8 kernel computes (up to float32 summation order), so its quality can
  be measured on real data with the ordinary evaluation code (see ``seqstudio/music/options.py``).
- A seed is prefilled layer by layer (``_prefill``), not token by token: each layer >= 1 multiplies
  its W_ih by the layer below's outputs for a stretch of positions at once (the positions are the
  batch, so a widened int8 weight feeds two of them), and only W_hh . h runs position by position.
  Same weights, scales and activation code as the step: the state matches stepping through the
  tokens to float32 rounding. The 654-token seed of ``seqstudio bench generate`` took 29.3 ms in int8
  (token by token 31.7 ms) and 59.9 ms in float32 (84.6 ms: per position the sequential part reads
  7.1 MB of W_hh from L3 instead of 11.8 MB). In int8 the sequential 60 % of the multiply-adds is the
  floor at one row: every weight is widened once per position, about one 16-lane FMA per cycle
  (~60 GMAC/s), the rate the step already had.
- The kernel stays on one thread: this project's 2-core machines are shared (a training job held one
  core, load average 3-8, while these numbers were taken), and threaded variants lost badly whenever the
  other core was busy (BLAS with 2 threads: ~23 ms a step at batch 1 instead of ~0.2 ms).

Per-step times measured on the 2-core dev box while other jobs were running (3 layers x 384, embed
256, vocab 398; all libraries held to 1 thread), batch 1: naive loop 1630 us; numpy with preallocated
buffers 185 us; torch with preallocated tensors 278 us; numba calling np.dot (BLAS) 220 us; this kernel
in float32 166 us, in int8 63 us (batch 8: 500 / 330 us). The int8 matrices of a 3x384 model take 3.1 MB;
widening them to float32 in the loop, not the bytes, is now the cost. An int8 x int16 integer
matrix-vector product compiled by numba (no VNNI instructions emitted) was slower (86 vs 46 us for the
same rows), so activations stay float32. libm exp/tanh do not vectorize in numba (no
SVML here), so the gates use a rational tanh (below): at batch 8 one layer's activations took ~180 us
with libm, ~4 us now.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from numba import njit
from torch import nn

# Eigen's single-precision rational tanh (also used by ONNX Runtime's MLAS): plain arithmetic, so the
# activation loop auto-vectorizes; max abs error 2.7e-7 (measured on [-20, 20]; beyond the clamp
# tanh is 1 in float32 anyway). Module-level float32 so numba keeps the arithmetic in float32. The kernels use
# error_model="numpy": numba's default inserts a ZeroDivisionError branch per division, which stops
# LLVM from vectorizing the loop (9x slower activations at batch 8).
_CLAMP = np.float32(7.90531110763549805)
_A13, _A11 = np.float32(-2.76076847742355e-16), np.float32(2.00018790482477e-13)
_A9, _A7 = np.float32(-8.60467152213735e-11), np.float32(5.12229709037114e-08)
_A5, _A3 = np.float32(1.48572235717979e-05), np.float32(6.37261928875436e-04)
_A1 = np.float32(4.89352455891786e-03)
_B6, _B4 = np.float32(1.19825839466702e-06), np.float32(1.18534705686654e-04)
_B2, _B0 = np.float32(2.26843463243900e-03), np.float32(4.89352518554385e-03)
_HALF = np.float32(0.5)


@njit(cache=True, fastmath=True, error_model="numpy", inline="always")
def _tanh(x):
    x = min(max(x, -_CLAMP), _CLAMP)
    x2 = x * x
    p = ((((((_A13 * x2 + _A11) * x2 + _A9) * x2 + _A7) * x2 + _A5) * x2 + _A3) * x2 + _A1) * x
    q = ((_B6 * x2 + _B4) * x2 + _B2) * x2 + _B0
    return p / q


@njit(cache=True, fastmath=True, error_model="numpy", inline="always")
def _sigmoid(x):
    return _HALF * _tanh(_HALF * x) + _HALF


@njit(cache=True, fastmath=True, inline="always")
def _add8(o, s, j, a0, a1, a2, a3, a4, a5, a6, a7):
    o[j] += s[j] * a0
    o[j + 1] += s[j + 1] * a1
    o[j + 2] += s[j + 2] * a2
    o[j + 3] += s[j + 3] * a3
    o[j + 4] += s[j + 4] * a4
    o[j + 5] += s[j + 5] * a5
    o[j + 6] += s[j + 6] * a6
    o[j + 7] += s[j + 7] * a7


PRECISIONS = ("fp32", "int8")
_PREFILL_CHUNK = 256  # seed positions per stretch of the layer-by-layer prefill (see _prefill)


@njit(cache=True, fastmath=True, error_model="numpy")
def _matvec_acc(w, scale, x, k0, out):
    """out[b, j] += scale[j] * (w[j] . x[b, k0:k0+K]);  w (R, K) float32 or int8, scale (R,), x (B, >= k0+K).

    Tiles 8 weight rows x 2 batch rows (16 vector accumulators, 26 of 32 AVX-512 registers) so each
    load feeds several FMAs, and the 8 rows stay in L1 while the batch sweeps them: the weights
    stream from cache once per step. Measured 1.4-1.7x faster than 4x1 or 4x2 tiles and than
    single-threaded OpenBLAS sgemm for batch 1-16; as the prefill's input projection (the batch is
    hundreds of seed positions) 4.2 ms for 656x384 by 384x1536 in int8, sgemm on the dequantized
    weights 6.1 ms. int8 weights are widened to float32 as they are loaded (one compiled variant per
    dtype); the row scale is applied once per dot product. x is read through row views
    ``x[b, k0:k0+K]``: indexing ``x[b, k0 + k]`` with an offset known only at run time (the head's)
    kept LLVM from vectorizing the loop (the int8 head took 20 instead of 2.4 us a step at batch 1,
    68 instead of 13 at batch 8).
    """
    n_rows, n_k = w.shape
    n_batch = x.shape[0]
    r8 = n_rows - n_rows % 8
    for j in range(0, r8, 8):
        for b in range(0, n_batch - 1, 2):
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = np.float32(0.0)
            d0 = d1 = d2 = d3 = d4 = d5 = d6 = d7 = np.float32(0.0)
            xu, xv = x[b, k0 : k0 + n_k], x[b + 1, k0 : k0 + n_k]
            for k in range(n_k):
                u = xu[k]
                v = xv[k]
                w0, w1 = np.float32(w[j, k]), np.float32(w[j + 1, k])
                w2, w3 = np.float32(w[j + 2, k]), np.float32(w[j + 3, k])
                w4, w5 = np.float32(w[j + 4, k]), np.float32(w[j + 5, k])
                w6, w7 = np.float32(w[j + 6, k]), np.float32(w[j + 7, k])
                a0 += w0 * u
                a1 += w1 * u
                a2 += w2 * u
                a3 += w3 * u
                a4 += w4 * u
                a5 += w5 * u
                a6 += w6 * u
                a7 += w7 * u
                d0 += w0 * v
                d1 += w1 * v
                d2 += w2 * v
                d3 += w3 * v
                d4 += w4 * v
                d5 += w5 * v
                d6 += w6 * v
                d7 += w7 * v
            _add8(out[b], scale, j, a0, a1, a2, a3, a4, a5, a6, a7)
            _add8(out[b + 1], scale, j, d0, d1, d2, d3, d4, d5, d6, d7)
        if n_batch % 2:  # the last row of an odd batch (all of batch 1) on its own
            b = n_batch - 1
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = np.float32(0.0)
            xu = x[b, k0 : k0 + n_k]
            for k in range(n_k):
                u = xu[k]
                a0 += np.float32(w[j, k]) * u
                a1 += np.float32(w[j + 1, k]) * u
                a2 += np.float32(w[j + 2, k]) * u
                a3 += np.float32(w[j + 3, k]) * u
                a4 += np.float32(w[j + 4, k]) * u
                a5 += np.float32(w[j + 5, k]) * u
                a6 += np.float32(w[j + 6, k]) * u
                a7 += np.float32(w[j + 7, k]) * u
            _add8(out[b], scale, j, a0, a1, a2, a3, a4, a5, a6, a7)
    for j in range(r8, n_rows):  # rows left over from the 8-row tiles
        for b in range(n_batch):
            xu = x[b, k0 : k0 + n_k]
            acc = np.float32(0.0)
            for k in range(n_k):
                acc += np.float32(w[j, k]) * xu[k]
            out[b, j] += scale[j] * acc


@njit(cache=True, fastmath={"nnan", "ninf", "nsz"}, error_model="numpy")
def _activate(gates, c, out, off):
    """The gates (B, 4H), holding the complete pre-activations, advance the cell state c (B, H) in
    place; the new h goes to out[:, off:off+H]. Gate order is PyTorch's (i, f, g, o). Shared by the
    step and the prefill, so both apply the very same arithmetic.

    No fast-math flag here that may change a value (contract, reassoc, arcp): LLVM guards this loop
    with a run-time check that gates, c and out do not overlap and falls back to a scalar copy of it,
    and with those flags the two copies rounded differently -- a step's result then depended on where
    its buffers happened to lie in memory (3 different states over 300 placements at hidden 24; the
    same seed could give different notes). IEEE arithmetic costs ~2 % of a step at batch 8. A placement
    sweep once found four int8 results in a process that had first run the GUI tests (never in a fresh
    one); with the current models and kernels it finds one there too, and the sweep is a test again
    (tests/nn/test_fast_step.py, run after the GUI tests)."""
    n_batch, hidden = c.shape
    for b in range(n_batch):
        for k in range(hidden):
            i = _sigmoid(gates[b, k])
            f = _sigmoid(gates[b, hidden + k])
            g = _tanh(gates[b, 2 * hidden + k])
            o = _sigmoid(gates[b, 3 * hidden + k])
            cc = f * c[b, k] + i * g
            c[b, k] = cc
            out[b, off + k] = o * _tanh(cc)


@njit(cache=True, fastmath=True, error_model="numpy")
def _cell(w, scale, xh, c, gates):
    """One LSTM layer in place.  w (4H, in+H) = [W_ih | W_hh]; xh (B, in+H) = [x | h]; c (B, H);
    gates (B, 4H) arrive holding the bias (or, for layer 0, the folded embedding row).

    The new h overwrites xh[:, in:], ready for the next step.
    """
    _matvec_acc(w, scale, xh, 0, gates)
    _activate(gates, c, xh, xh.shape[1] - c.shape[1])


@njit(cache=True, fastmath=True, error_model="numpy")
def _layers(tokens, table, w0, s0, w_rest, s_rest, b_rest, h0, xh_rest, c, gates):
    """Advance every layer by one token; tokens (B,) int64. Layer 0 reads h0 (B, H) and its input part
    from ``table``; layer l >= 1 reads xh_rest[l-1] (B, 2H), whose first half is a copy of the layer
    below's new h. Returns (the top layer's buffer, where its h starts)."""
    n_batch = tokens.shape[0]
    n_layers, _, hidden = c.shape
    for b in range(n_batch):
        t = tokens[b]
        if t < 0 or t >= table.shape[0]:
            raise IndexError("token id out of the embedding's range")
        gates[b] = table[t]
    _cell(w0, s0, h0, c[0], gates)
    below, off = h0, 0
    for layer in range(1, n_layers):
        xh = xh_rest[layer - 1]
        xh[:, :hidden] = below[:, off:]
        for b in range(n_batch):
            gates[b] = b_rest[layer - 1]
        _cell(w_rest[layer - 1], s_rest[layer - 1], xh, c[layer], gates)
        below, off = xh, hidden
    return below, off


@njit(cache=True, fastmath=True, error_model="numpy")
def lstm_step(tokens, table, w0, s0, w_rest, s_rest, b_rest, w_head, s_head, b_head, h0, xh_rest, c, gates,
              logits):
    """One step: tokens (B,) int64 -> logits (B, V) float32, written in place; the state advances.

    The arguments after ``tokens`` are ``FastLSTMStep.kernel_args()`` then ``logits``, so fused loops
    elsewhere (sampling in numba) can call the kernel without going back to Python."""
    below, off = _layers(tokens, table, w0, s0, w_rest, s_rest, b_rest, h0, xh_rest, c, gates)
    for b in range(tokens.shape[0]):
        logits[b] = b_head
    _matvec_acc(w_head, s_head, below, off, logits)


@njit(cache=True, fastmath=True, error_model="numpy")
def _recur(w_hh, scale, pre, h, c, outs):
    """Run one layer over a stretch of positions for one row: the sequential part of the prefill.
    pre (T, 4H) holds each position's input projection plus bias and is overwritten by the gates;
    h, c (1, H) advance in place; outs[t] gets h after position t."""
    for t in range(pre.shape[0]):
        gates = pre[t : t + 1]
        _matvec_acc(w_hh, scale, h, 0, gates)
        _activate(gates, c, h, 0)
        outs[t] = h[0]


@njit(cache=True, fastmath=True, error_model="numpy")
def _prefill(tokens, table, w0, s0, w_ih_rest, w_hh_rest, s_rest, b_rest, h, c, chunk):
    """Feed tokens (T,) to one row whose state h, c (L, 1, H) advances in place, layer by layer.

    Per stretch of ``chunk`` positions: layer 0's input part is a row of ``table`` per token; each
    layer >= 1 gets the input projections of all positions at once from the layer below's outputs
    (one ``_matvec_acc`` with the positions as its batch, so each widened int8 weight serves two of
    them), then only its recurrent part W_hh . h runs position by position (``_recur``). The same
    weights, scales and activation code as the step, so the state is the step's to float32 rounding.
    The stretches bound the buffers (a 4096-token seed would need 31 MB at 3x384 in one piece) and
    keep them in cache; the state carries over from one stretch to the next."""
    n_layers, _, hidden = c.shape
    n_t = tokens.shape[0]
    pre = np.empty((min(chunk, n_t), 4 * hidden), np.float32)
    outs = np.empty((min(chunk, n_t), hidden), np.float32)
    for start in range(0, n_t, chunk):
        n = min(chunk, n_t - start)
        for t in range(n):
            tok = tokens[start + t]
            if tok < 0 or tok >= table.shape[0]:
                raise IndexError("token id out of the embedding's range")
            pre[t] = table[tok]
        _recur(w0, s0, pre[:n], h[0], c[0], outs[:n])
        for layer in range(1, n_layers):
            for t in range(n):
                pre[t] = b_rest[layer - 1]
            _matvec_acc(w_ih_rest[layer - 1], s_rest[layer - 1], outs[:n], 0, pre[:n])
            _recur(w_hh_rest[layer - 1], s_rest[layer - 1], pre[:n], h[layer], c[layer], outs[:n])


def quantize_rows(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-row int8: ``w ~= q * scale[:, None]`` with q in [-127, 127]; (q int8, scale float32)."""
    w = np.asarray(w, np.float32)
    amax = np.abs(w).max(axis=1)
    scale = np.where(amax > 0, amax / np.float32(127), np.float32(1)).astype(np.float32)
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def _f32(t: torch.Tensor) -> np.ndarray:
    """A float32 C-contiguous numpy copy that no later change to the module can alias."""
    return np.array(t.detach().to("cpu", torch.float32).numpy(), dtype=np.float32, order="C", copy=True)


def _check_modules(embedding: nn.Embedding, lstm: nn.LSTM, head: nn.Linear) -> None:
    if not isinstance(lstm, nn.LSTM):
        raise ValueError(f"expected nn.LSTM, got {type(lstm).__name__}")
    if lstm.bidirectional or lstm.proj_size > 0:
        raise ValueError("FastLSTMStep needs a unidirectional nn.LSTM without proj_size")
    if embedding.max_norm is not None:
        raise ValueError("embeddings with max_norm renormalise on lookup; not supported")
    if embedding.embedding_dim != lstm.input_size or head.in_features != lstm.hidden_size:
        raise ValueError("embedding, LSTM and head sizes do not chain")


def _layer_bias(lstm: nn.LSTM, layer: int) -> np.ndarray:
    """b_ih + b_hh: one bias per gate row, added once instead of twice."""
    if not lstm.bias:
        return np.zeros(4 * lstm.hidden_size, np.float32)
    return _f32(getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}"))


def _quantized_matrices(lstm: nn.LSTM, head: nn.Linear, precision: str):
    """The matrices the kernel multiplies, as (weights, row scales): W_hh0, [W_ih | W_hh] of each layer
    >= 1, the head. float32 with unit scales, or int8 with per-row scales."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    mats = [_f32(lstm.weight_hh_l0)]
    for layer in range(1, lstm.num_layers):
        mats.append(_f32(torch.cat([getattr(lstm, f"weight_ih_l{layer}"), getattr(lstm, f"weight_hh_l{layer}")], 1)))
    mats.append(_f32(head.weight))
    if precision == "fp32":
        return [(m, np.ones(m.shape[0], np.float32)) for m in mats]
    return [quantize_rows(m) for m in mats]


def int8_reference(lstm: nn.LSTM, head: nn.Linear) -> tuple[nn.LSTM, nn.Linear]:
    """Copies of ``lstm`` and ``head`` whose weights are the int8 kernel's, dequantized (``q * scale``).

    The embedding and W_ih0 are not quantized (the kernel keeps their product as a float32 table), nor
    are the biases. Running the copies through nn.LSTM gives what ``FastLSTMStep(precision="int8")``
    gives, up to float32 summation order: use them to measure the int8 model's quality on real data."""
    lstm_q, head_q = copy.deepcopy(lstm), copy.deepcopy(head)
    mats = [q.astype(np.float32) * s[:, None] for q, s in _quantized_matrices(lstm, head, "int8")]
    hidden = lstm.hidden_size
    with torch.no_grad():
        lstm_q.weight_hh_l0.copy_(torch.from_numpy(mats[0]))
        for layer in range(1, lstm.num_layers):
            w = torch.from_numpy(mats[layer])
            getattr(lstm_q, f"weight_ih_l{layer}").copy_(w[:, :hidden])
            getattr(lstm_q, f"weight_hh_l{layer}").copy_(w[:, hidden:])
        head_q.weight.copy_(torch.from_numpy(mats[-1]))
    return lstm_q, head_q


class FastLSTMStep:
    """Inference-only stepper built from an nn.Embedding, an nn.LSTM (batch_first, unidirectional,
    no proj_size) and an nn.Linear head.

    Shapes: tokens (batch,) int; logits (batch, vocab) float32; h and c (layers, batch, hidden).
    With ``precision="fp32"`` it matches ``head(lstm(embedding(tokens))[0])`` in eval mode (no dropout)
    to ~1e-6 on the logits; with ``"int8"`` it matches the same with ``int8_reference``'s modules.
    Weights are snapshotted at construction; later changes to the modules are not seen. The numba
    kernel compiles on the first step of the first process (a few seconds) and is cached on disk.
    """

    def __init__(self, embedding: nn.Embedding, lstm: nn.LSTM, head: nn.Linear, precision: str = "fp32") -> None:
        _check_modules(embedding, lstm, head)
        mats = _quantized_matrices(lstm, head, precision)
        n_layers, hidden = lstm.num_layers, lstm.hidden_size
        # the folded embedding, in float64 so that the table is the exact product rounded once
        emb = embedding.weight.detach().to("cpu", torch.float64)
        w_ih0 = lstm.weight_ih_l0.detach().to("cpu", torch.float64)
        table = emb @ w_ih0.T + torch.from_numpy(_layer_bias(lstm, 0)).double()
        self._table = np.ascontiguousarray(table.numpy(), dtype=np.float32)  # (V_in, 4H)
        self._w0, self._s0 = mats[0]  # (4H, H)
        # Layers >= 1 share one shape, so one 3-D array avoids numba's typed lists.
        rest, wdt = mats[1:-1], mats[0][0].dtype
        self._w_rest = np.stack([m for m, _ in rest]) if rest else np.zeros((0, 4 * hidden, 2 * hidden), wdt)
        self._s_rest = np.stack([s for _, s in rest]) if rest else np.zeros((0, 4 * hidden), np.float32)
        # The prefill multiplies the two halves separately; strided views of them made the float32
        # prefill 4x slower than these contiguous copies (+2.4 MB in int8, +9.4 MB in float32 at 3x384).
        self._w_ih_rest = np.ascontiguousarray(self._w_rest[:, :, :hidden])
        self._w_hh_rest = np.ascontiguousarray(self._w_rest[:, :, hidden:])
        biases = [_layer_bias(lstm, layer) for layer in range(1, n_layers)]
        self._b_rest = np.stack(biases) if biases else np.zeros((0, 4 * hidden), np.float32)
        self._w_head, self._s_head = mats[-1]  # (V, H)
        self._b_head = _f32(head.bias) if head.bias is not None else np.zeros(head.out_features, np.float32)
        self.precision = precision
        self.num_layers, self.hidden_size, self.vocab_size = n_layers, hidden, head.out_features
        self.reset(1)

    @property
    def batch(self) -> int:
        return self._c.shape[1]

    def reset(self, batch: int) -> None:
        """Zero state for ``batch`` rows (what nn.LSTM does with ``state=None``)."""
        if batch < 1:
            raise ValueError("batch must be positive")
        n_layers, hidden = self.num_layers, self.hidden_size
        # h lives inside the per-layer [x | h] input buffers, so a step never concatenates.
        self._h0 = np.zeros((batch, hidden), np.float32)
        self._xh_rest = np.zeros((n_layers - 1, batch, 2 * hidden), np.float32)
        self._c = np.zeros((n_layers, batch, hidden), np.float32)
        self._gates = np.empty((batch, 4 * hidden), np.float32)

    def set_state(self, h: torch.Tensor | np.ndarray, c: torch.Tensor | np.ndarray) -> None:
        """Adopt (h, c), each (layers, batch, hidden), e.g. from the model's prefill on the seed."""
        h, c = _as_f32(h), _as_f32(c)
        expected = (self.num_layers, h.shape[1] if h.ndim == 3 else -1, self.hidden_size)
        if h.shape != expected or c.shape != expected:
            raise ValueError(f"h and c must be (layers, batch, hidden) = {expected}; "
                             f"got {h.shape}, {c.shape}")
        self.reset(h.shape[1])
        self._c[...] = c
        for layer in range(self.num_layers):
            self._h_view(layer)[...] = h[layer]

    def get_state(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of (h, c), each (layers, batch, hidden) float32."""
        h = np.stack([self._h_view(layer) for layer in range(self.num_layers)])
        return h, self._c.copy()

    def prefill(self, tokens: np.ndarray, batch: int) -> None:
        """Start from zero, feed ``tokens`` (T,) once, and give every one of ``batch`` rows that state.

        Single-threaded and in the kernel's own precision, so a generation's conditioning and its steps
        are the same model (torch's prefill with 2 threads on a busy 2-core machine took 0.2-2 s). Layer
        by layer (``_prefill``): the same state as stepping through ``tokens``, to float32 rounding."""
        tokens = self._check_tokens(tokens, None)
        if batch < 1:
            raise ValueError("batch must be positive")
        shape = (self.num_layers, 1, self.hidden_size)
        h, c = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        _prefill(tokens, self._table, self._w0, self._s0, self._w_ih_rest, self._w_hh_rest, self._s_rest,
                 self._b_rest, h, c, _PREFILL_CHUNK)
        self.set_state(np.repeat(h, batch, axis=1), np.repeat(c, batch, axis=1))

    def step(self, tokens: np.ndarray) -> np.ndarray:
        """tokens (batch,) int -> logits (batch, vocab) float32, a fresh array; advances the state."""
        tokens = self._check_tokens(tokens, self.batch)
        logits = np.empty((self.batch, self.vocab_size), np.float32)
        lstm_step(tokens, *self.kernel_args(), logits)
        return logits

    def kernel_args(self) -> tuple:
        """What ``lstm_step`` takes after ``tokens``, before ``logits``: weights, then the state buffers
        (which ``reset``, ``set_state`` and ``prefill`` replace, so ask again after those)."""
        return (self._table, self._w0, self._s0, self._w_rest, self._s_rest, self._b_rest, self._w_head,
                self._s_head, self._b_head, self._h0, self._xh_rest, self._c, self._gates)

    def _check_tokens(self, tokens: np.ndarray, batch: int | None) -> np.ndarray:
        tokens = np.asarray(tokens)
        if not np.issubdtype(tokens.dtype, np.integer):
            raise ValueError(f"tokens must be integers, got {tokens.dtype}")
        tokens = np.ascontiguousarray(tokens, dtype=np.int64)  # one dtype -> one compiled kernel
        if batch is not None and tokens.shape != (batch,):
            raise ValueError(f"tokens must have shape ({batch},), got {tokens.shape}; call reset(batch) first")
        if batch is None and tokens.ndim != 1:
            raise ValueError(f"tokens must be one sequence (T,), got shape {tokens.shape}")
        return tokens

    def _h_view(self, layer: int) -> np.ndarray:
        """Layer ``layer``'s h (batch, hidden), a view into its input buffer."""
        if layer == 0:
            return self._h0
        return self._xh_rest[layer - 1][:, self.hidden_size:]


def _as_f32(a: torch.Tensor | np.ndarray) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().to("cpu", torch.float32).numpy()
    return np.asarray(a, dtype=np.float32)
