"""Absorption: batches of frames and chat turns become memories, with a model or offline."""
