# Run at the top of every lesson page (hidden): a fixed seed, and show(fig) to embed a matplotlib figure.
import base64
import io

import numpy as np

import gradnote as gn

gn.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)


def show(fig, width=560):
    """Print `fig` as an inline PNG <img> (the page embeds it; nothing is fetched)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode()
    print(f'<img alt="figure" width="{width}" src="data:image/png;base64,{data}">')
