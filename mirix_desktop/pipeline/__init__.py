"""The data path: capture, the inbox, absorption, and conversations (ask, save, ingest)."""
