"""The quality gate: Great Expectations suites from the contracts, their DuckDB rendering, quarantine."""
