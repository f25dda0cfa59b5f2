"""The shared core: paths, connections, errors, contracts, reference codes, locks, limits."""
