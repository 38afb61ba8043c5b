"""Time the renderers: a 100×100 heatmap (target well under 100 ms) and a loop's graph."""


import torch
from timing import best_of

import cajal
from cajal import render

if __name__ == "__main__":
    m = torch.randn(100, 100)
    render.heatmap(m[:2, :2], "ℕ", ["ℕ"])  # warm up
    print(f"100×100 heatmap: {best_of(lambda: render.heatmap(m, 'ℕ ⊸ ℕ', ['ℕ ⊸ ℕ']), 5) * 1e3:.1f} ms")
    term = cajal.parse_term("λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)")
    print(f"parity graph (with dot): {best_of(lambda: str(render.graph(term)), 5) * 1e3:.1f} ms")
    print(f"parity derivation: {best_of(lambda: str(render.derivation(term)), 5) * 1e3:.2f} ms")
