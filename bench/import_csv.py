"""`python -m bench.import_csv --n N`: a French bank's CSV export of N lines (10,000 by
default) imported through the services, against a bare `csv` module read of the same file
in the same run. Prints medians of R runs: n, csv_s, import_s, categorize_s, speedup (here
the bare read's time over ours: how close to a plain read the whole import is), reimport_s,
peak_mb, max_loop_stall_ms (see bench/file_import.py)."""

from __future__ import annotations

import argparse
import csv
import io

from bench import file_import
from bench.statements import csv as french_csv


def bare_read(data: bytes) -> int:
    rows = csv.reader(io.StringIO(data.decode("cp1252")), delimiter=";")
    return sum(1 for _ in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="lines in the file (10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs, medians printed (3)")
    parser.add_argument(
        "--skip-baseline", action="store_true", help="print nan for the baseline (large N)"
    )
    args = parser.parse_args()
    data = french_csv(args.n)
    baseline = ("csv_s", lambda: bare_read(data))
    file_import.run(
        "releve.csv", data, args.n, args.repeat, baseline, skip_baseline=args.skip_baseline
    )


if __name__ == "__main__":
    main()
