"""Hafen: a self-hosted, privacy-by-design communication platform for social work."""
