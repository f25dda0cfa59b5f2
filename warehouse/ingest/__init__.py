"""Ingest: land files, extract from publishers, read them with the contract's reader and load raw."""
