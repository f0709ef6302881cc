"""Persistence: the repository protocol and its TinyDB implementation."""
