"""The one version of the library (``autograd`` and ``nn`` are released together)."""

__version__ = "0.2.0"
