"""Figures for generative models: a mosaic of images, and a VAE's samples beside its latent space.

    from gradnote.viz.generative import make_grid, plot_generative
    plot_generative(samples, latent=z, labels=y, manifold=decoded_grid, path="vae.png")
"""

from __future__ import annotations

import numpy as np

from .plots import _figure, _finish


def make_grid(images, nrow: int = 8, padding: int = 2, pad_value: float = 0.0) -> np.ndarray:
    """Tile images into one picture, `nrow` per row, as torchvision.utils.make_grid lays them out.

    images: (N, H, W) or (N, C, H, W) with C = 1 or 3. Returns (H', W') for one channel, (H', W', 3)
    for three (what imshow takes), with H' = rows * (H + padding) + padding.

    >>> make_grid(np.zeros((5, 28, 28), dtype=np.float32), nrow=4).shape
    (62, 122)
    """
    x = np.asarray(getattr(images, "data", images))
    if x.ndim == 4 and x.shape[1] in (1, 3):
        x = x.transpose(0, 2, 3, 1)
    elif x.ndim == 3:
        x = x[..., None]
    else:
        raise ValueError(f"make_grid: expected images (N, H, W) or (N, C, H, W) with C in (1, 3), got shape {x.shape}")
    if nrow < 1 or padding < 0:
        raise ValueError(f"make_grid: nrow must be >= 1 and padding >= 0, got nrow={nrow}, padding={padding}")
    n, h, w, c = x.shape
    cols = min(nrow, max(n, 1))
    rows = -(-n // cols)
    grid = np.full((rows * (h + padding) + padding, cols * (w + padding) + padding, c), pad_value, dtype=x.dtype)
    for k in range(n):
        top, left = padding + (k // cols) * (h + padding), padding + (k % cols) * (w + padding)
        grid[top:top + h, left:left + w] = x[k]
    return grid[..., 0] if c == 1 else grid


def _mosaic(ax, images, title: str, nrow: int) -> None:
    ax.imshow(make_grid(images, nrow=nrow, pad_value=1.0), cmap="gray", vmin=0.0, vmax=1.0)
    ax.set_title(title)
    ax.axis("off")


def plot_generative(samples, latent=None, labels=None, manifold=None, path=None):
    """A generative model at a glance: images drawn from it, and where its encoder puts real data.

    samples: (N, H, W) images in [0, 1] decoded from the prior. latent: (M, 2) codes of real images
    (a VAE's mu), drawn as a scatter coloured by `labels` (M,). manifold: (n * n, H, W) images decoded
    on an n x n grid over the latent plane. Panels are left out when their argument is None.
    """
    panels = ["samples"] + ["latent"] * (latent is not None) + ["manifold"] * (manifold is not None)
    fig, axes = _figure(1, len(panels), size=(5.0, 5.0))
    for ax, panel in zip(axes[0], panels):
        if panel == "samples":
            samples = np.asarray(getattr(samples, "data", samples))
            _mosaic(ax, samples, "samples from the prior", nrow=int(np.ceil(np.sqrt(len(samples)))))
        elif panel == "manifold":
            manifold = np.asarray(getattr(manifold, "data", manifold))
            n = int(round(np.sqrt(len(manifold))))
            if n * n != len(manifold):
                raise ValueError(f"plot_generative: manifold must hold n * n images, got {len(manifold)}")
            _mosaic(ax, manifold, "decoded latent grid", nrow=n)
        else:
            z = np.asarray(getattr(latent, "data", latent))
            if z.ndim != 2 or z.shape[1] != 2:
                raise ValueError(f"plot_generative: latent must be (M, 2) codes, got shape {z.shape}")
            if labels is None:
                ax.scatter(z[:, 0], z[:, 1], s=2)
            else:
                labels = np.asarray(getattr(labels, "data", labels))
                # half a class either side, so each colour band of the bar sits on its class's tick
                points = ax.scatter(z[:, 0], z[:, 1], s=2, c=labels, cmap="tab10", vmin=labels.min() - 0.5,
                                    vmax=labels.max() + 0.5)
                fig.colorbar(points, ax=ax, ticks=np.unique(labels), label="class")
            ax.set_xlabel("z1")
            ax.set_ylabel("z2")
            ax.set_title("latent space (encoder means)")
            ax.grid(alpha=0.3)
    return _finish(fig, path)
