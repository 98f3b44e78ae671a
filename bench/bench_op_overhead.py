"""Per-op overhead of the autograd engine: (a * b + c).sum().backward() on (8, 8) float32.

The arrays are tiny, so this measures the bookkeeping around each op (recording the
graph, walking it backward, accumulating .grad), not arithmetic. Target: <= 1.0x
PyTorch eager.
"""

from __future__ import annotations

import numpy as np
from harness import compare, setup_torch

import gradnote as gn


def main() -> dict:
    torch = setup_torch()
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((8, 8)).astype(np.float32) for _ in range(3)]

    a, b, c = (gn.tensor(x, requires_grad=True) for x in arrays)

    def gn_step():
        a.grad = b.grad = c.grad = None
        (a * b + c).sum().backward()

    torch_step = None
    if torch is not None:
        ta, tb, tc = (torch.tensor(x, requires_grad=True) for x in arrays)

        def torch_step():
            ta.grad = tb.grad = tc.grad = None
            (ta * tb + tc).sum().backward()

    return compare("op overhead (8x8)", gn_step, torch_step, target=1.0)


if __name__ == "__main__":
    main()
