"""Reads whole Parquet files with pyarrow and prints, per file, its row count and column names.

Usage: parquet_files.py FILE...   → {"FILE": {"rows": N, "columns": [names]}, ...}
Exit status 1, with the error, when pyarrow cannot read a file.
"""

import json
import sys

import pyarrow.parquet as pq


def main():
    result = {}
    for path in sys.argv[1:]:
        table = pq.read_table(path)
        table.to_pylist()  # every value decoded, not only the metadata
        result[path] = {"rows": table.num_rows, "columns": table.column_names}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        print("parquet_files: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        sys.exit(1)
