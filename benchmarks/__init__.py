"""Benchmarks for FactBot: a synthetic corpus generator and a one-command benchmark runner."""
