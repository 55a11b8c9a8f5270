"""Benchmarks (not part of the portal): see bench/README.md."""
