"""Publish: the code fingerprint, the write-audit-publish checks, the publication record and version store,
the atomic swap of the served file, rollback, lineage and export."""
