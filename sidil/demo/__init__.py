"""Synthetic inputs in the real formats of every SIDIL source (`sidil demo`)."""
