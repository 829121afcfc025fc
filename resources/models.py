"""The catalogue's models."""
