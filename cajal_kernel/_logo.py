"""Draw the Cajal kernel's logos (`python -m cajal_kernel._logo` rewrites them).

A neuron drawn as a λ: dendrites come in from the left, the λ is the cell body, an axon
leaves on the right. The SVG and the PNGs are drawn from the same strokes (the PNGs with
matplotlib, so no image library is needed).
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "share" / "jupyter" / "kernels" / "cajal"
BACKGROUND = "#1f2a44"
INK = "#ffffff"
ACCENT = "#f28e2b"
# strokes in a 64×64 box, y down: (colour, width, points)
STROKES = [
    (ACCENT, 3.0, [(4, 22), (16, 30)]),
    (ACCENT, 3.0, [(4, 40), (16, 35)]),
    (INK, 7.0, [(21, 11), (29, 11), (44, 51)]),
    (INK, 7.0, [(33, 30), (21, 51)]),
    (ACCENT, 3.0, [(47, 51), (60, 51)]),
]


def svg() -> str:
    lines = ['<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">',
             f'  <rect x="0" y="0" width="64" height="64" rx="12" fill="{BACKGROUND}"/>']
    for colour, width, points in STROKES:
        pts = " ".join(f"{x},{y}" for x, y in points)
        lines.append(f'  <polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}" '
                     'stroke-linecap="round" stroke-linejoin="round"/>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def png(path: Path, size: int) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    fig = plt.figure(figsize=(1, 1), dpi=size)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 64)
    ax.set_ylim(64, 0)
    ax.axis("off")
    fig.patch.set_alpha(0)
    ax.add_patch(FancyBboxPatch((0, 0), 64, 64, boxstyle="round,pad=0,rounding_size=12",
                                facecolor=BACKGROUND, edgecolor="none"))
    points_per_unit = 72 / 64  # the figure is one inch (size px) wide: 1 unit = size/64 px = 72/64 pt
    for colour, width, points in STROKES:
        xs, ys = zip(*points)
        ax.plot(xs, ys, color=colour, linewidth=width * points_per_unit,
                solid_capstyle="round", solid_joinstyle="round")
    fig.savefig(path, dpi=size, transparent=True)
    plt.close(fig)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "logo-svg.svg").write_text(svg(), "utf-8")
    png(OUT / "logo-64x64.png", 64)
    png(OUT / "logo-32x32.png", 32)
    print(f"wrote the logos to {OUT}")


if __name__ == "__main__":
    main()
