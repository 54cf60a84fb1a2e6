"""Run one template's extractor on one file, for developing a template or checking a new report.

    python -m analysis.clean.extract data/raw/FILE --template bromley --council bromley --period 2023-24 [--out x.csv]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...observations import sort_frame, to_frame
from . import extractor
from .engine import RawReport, ReportFormatError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.clean.extract", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="raw report, relative to the project root")
    parser.add_argument("--template", required=True)
    parser.add_argument("--council", required=True)
    parser.add_argument("--period", required=True, help="the report's financial year, YYYY-YY")
    parser.add_argument("--out", help="write the observations to this CSV (default: print a summary)")
    parser.add_argument("--internal", action="store_true", help="include the role/group columns")
    args = parser.parse_args(argv)
    try:
        report = RawReport.load(Path("."), args.file, args.council, args.period)
        frame = sort_frame(to_frame(extractor(args.template)(report), internal=args.internal))
    except ReportFormatError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        frame.to_csv(args.out, index=False, lineterminator="\n", float_format="%.10g")
        print(f"{len(frame)} rows → {args.out}")
    else:
        print(frame.groupby("table").size().to_string())
        print(f"{len(frame)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
