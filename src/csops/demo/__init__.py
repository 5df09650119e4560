"""Demo company generator: a believable B2B SaaS business as data-contract files."""

from csops.demo.company import generate_company

__all__ = ["generate_company"]
