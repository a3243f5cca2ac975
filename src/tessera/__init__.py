"""Tessera: build the datasets models learn from, with people in the loop."""

__version__ = "0.1.0"
