"""Panel report packs (XLSX, CSV, HTML, PDF) built from the published warehouse only."""
