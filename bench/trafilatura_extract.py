#!/usr/bin/env python3
"""Runs trafilatura over the article-extraction benchmark pages, for a side-by-side figure.

Used by `tonlage-bench extraction --trafilatura`: writes {"seconds": s, "texts": {id: text}} as JSON
to OUT; the Rust side scores it with the same scorer as tonlage's extractor. Needs
`pip install trafilatura lxml_html_clean` (benchmark only; the product never runs Python).
Usage: trafilatura_extract.py BENCH_DIR OUT.json
"""
import gzip
import json
import sys
import time

import trafilatura


def main() -> None:
    bench, out = sys.argv[1], sys.argv[2]
    with open(f"{bench}/ground-truth.json", encoding="utf-8") as f:
        ids = sorted(json.load(f))
    pages = {}
    for i in ids:
        with gzip.open(f"{bench}/html/{i}.html.gz", "rb") as f:
            pages[i] = f.read()
    texts = {}
    start = time.perf_counter()
    for i in ids:
        texts[i] = trafilatura.extract(pages[i]) or ""
    seconds = time.perf_counter() - start
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"seconds": seconds, "version": trafilatura.__version__, "texts": texts}, f)


if __name__ == "__main__":
    main()
