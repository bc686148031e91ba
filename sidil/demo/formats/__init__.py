"""Deterministic writers for the file formats the real sources arrive in."""
