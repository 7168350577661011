"""Seed builders for the fuzz targets: one module per target, each with a `seeds()` function
returning {file name: bytes}. `fuzz/gen_seed_corpus.py` writes them to `fuzz/corpus/<target>/`."""
