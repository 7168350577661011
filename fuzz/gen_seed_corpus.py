#!/usr/bin/env python3
"""Regenerates the fuzz targets' seed corpora, fuzz/corpus/<target>/, from the builders in
fuzz/seeds/ (one module per target, each with a `seeds()` returning {file name: bytes}).

Usage, from anywhere: python3 fuzz/gen_seed_corpus.py [TARGET...] (every target by default).
The output is deterministic: rerunning it gives the same files. The `route` corpus is kept by
hand and not written here.
"""

import importlib
import os
import shutil
import sys

TARGETS = [
    "version_constraint",
    "module_archive",
    "module_docs",
    "provider_docs",
    "zip_directory",
    "provider_package",
    "shasums",
    "openpgp",
    "signed_url",
    "json_body",
    "query_context",
    "lambda_event",
    "webhook",
    "identity",
]

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target):
    seeds = importlib.import_module(f"seeds.{target}").seeds()
    out = os.path.join(HERE, "corpus", target)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    size = sum(len(data) for data in seeds.values())
    print(f"{target}: {len(seeds)} seeds, {size} bytes")


def main():
    sys.path.insert(0, HERE)
    targets = sys.argv[1:] or TARGETS
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        sys.exit(f"unknown targets: {' '.join(unknown)} (known: {' '.join(TARGETS)})")
    for target in targets:
        write(target)


if __name__ == "__main__":
    main()
