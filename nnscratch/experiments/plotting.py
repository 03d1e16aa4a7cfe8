"""Matplotlib with the Agg backend (no screen needed); import ``plt`` from here."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plt", "savefig"]


def savefig(fig, path) -> str:
    """Save ``fig`` as a PNG at ``path``, close it, and return the path as a string."""
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)
