"""Publish: fingerprint, audit, the publication record and the atomic swap of the served file."""
