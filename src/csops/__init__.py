"""csops: an open-source customer-success department in software."""

__version__ = "0.1.0"
