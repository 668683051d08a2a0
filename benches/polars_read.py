"""The reference of benches/national.sh: polars' bare read of every CSV
table of a data folder (all cores), with no validation and no features.
tilsyn's stage times are reported as ratios to this, measured in the same
run, because absolute times on a shared 2-core machine are noisy.

    python3 benches/polars_read.py DIR
"""
import pathlib
import sys

import polars as pl

rows = 0
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.csv")):
    if path.name == "truth.csv":
        continue
    df = pl.read_csv(path, infer_schema_length=10000, try_parse_dates=True)
    rows += df.height
print(f"{rows} rows")
