"""Reads a Delta table from moto with delta-rs (Python `deltalake`) and prints what it sees.

Usage: delta_read.py ENDPOINT TABLE_URI [VERSION]

Prints one JSON object: {"version": N, "files": [paths…], "rows": [row…]}, rows sorted by every
column's text, dates and timestamps as ISO text. Exit status 1, with the error, when delta-rs
cannot read the table.
"""

import json
import sys

from deltalake import DeltaTable


def main():
    endpoint, uri = sys.argv[1], sys.argv[2]
    version = int(sys.argv[3]) if len(sys.argv) > 3 else None
    options = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_S3_ALLOW_UNSAFE_RENAME": "true",
    }
    table = DeltaTable(uri, storage_options=options, version=version)
    rows = table.to_pyarrow_table().to_pylist()
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                row[key] = value.isoformat()
    rows.sort(key=lambda row: json.dumps(row, sort_keys=True))
    print(json.dumps({"version": table.version(), "files": sorted(table.file_uris()), "rows": rows}, sort_keys=True))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the test reads the message
        print("delta_read: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        sys.exit(1)
