"""`python -m bench.import_ofx --n N`: an OFX 1.x SGML statement of N lines (10,000 by
default) imported through the services, against bare `ofxparse.OfxParser.parse` on the same
file in the same run. Prints medians of R runs: n, ofxparse_s, import_s, categorize_s,
speedup, reimport_s, peak_mb, max_loop_stall_ms (see bench/file_import.py)."""

from __future__ import annotations

import argparse
import io

import ofxparse

from bench import file_import
from bench.statements import ofx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="lines in the file (10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs, medians printed (3)")
    parser.add_argument(
        "--skip-baseline", action="store_true", help="print nan for the baseline (large N)"
    )
    args = parser.parse_args()
    data = ofx(args.n)
    file_import.run(
        "releve.ofx",
        data,
        args.n,
        args.repeat,
        ("ofxparse_s", lambda: ofxparse.OfxParser.parse(io.BytesIO(data))),
        skip_baseline=args.skip_baseline,
    )


if __name__ == "__main__":
    main()
