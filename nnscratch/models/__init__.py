"""Ready-made models: hand-built universal approximators (003 ch. 4) and the autoencoders of
001 chapter 11."""
from . import universal
from .autoencoder import VAE, Autoencoder, SemiSupervisedVAE, nearest_centroid_accuracy

__all__ = ["universal", "Autoencoder", "VAE", "SemiSupervisedVAE", "nearest_centroid_accuracy"]
