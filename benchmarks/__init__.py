"""`make bench`: the national-scale benchmark (docs/benchmark.md)."""
