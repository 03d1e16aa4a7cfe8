"""Ready-made models: the MLP from its layer widths, hand-built universal approximators (003
ch. 4) and the autoencoders of 001 chapter 11."""
from . import universal
from .mlp import mlp
from .autoencoder import VAE, Autoencoder, SemiSupervisedVAE, nearest_centroid_accuracy

__all__ = ["universal", "mlp", "Autoencoder", "VAE", "SemiSupervisedVAE",
           "nearest_centroid_accuracy"]
