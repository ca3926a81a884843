"""Reads a Delta table from moto with delta-rs (Python `deltalake`) and prints what it sees.

Usage: delta_read.py ENDPOINT TABLE_URI [VERSION]

Prints one JSON object: {"version": N, "files": [uris…], "rows": [row…], "num_records": {path: n},
"duckdb_rows": n}, duckdb_rows being what DuckDB counts over the data files delta-rs lists (each
downloaded with boto3, since DuckDB's S3 extension is not installed here);
rows sorted by every column's text; dates and timestamps as ISO text, decimals as text,
binary as "b64:" and base64;
num_records from each file's statistics. Exit status 1, with the error, when delta-rs
cannot read the table.
"""

import base64
import decimal
import json
import os
import sys

import tempfile
import urllib.parse

import boto3
import duckdb
import pyarrow
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
        # moto is shared with the whole test run: give slow answers time rather than abort.
        "timeout": "120s",
        "connect_timeout": "30s",
    }
    table = DeltaTable(uri, storage_options=options, version=version)
    rows = table.to_pyarrow_table().to_pylist()
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                row[key] = value.isoformat()
            elif isinstance(value, decimal.Decimal):
                row[key] = str(value)
            elif isinstance(value, bytes):
                row[key] = "b64:" + base64.b64encode(value).decode()
    rows.sort(key=lambda row: json.dumps(row, sort_keys=True))
    actions = pyarrow.table(table.get_add_actions(flatten=True)).to_pylist()
    records = {action["path"]: action.get("num_records") for action in actions}
    files = sorted(table.file_uris())
    print(
        json.dumps(
            {
                "version": table.version(),
                "files": files,
                "rows": rows,
                "num_records": records,
                "duckdb_rows": duckdb_count(endpoint, files),
            },
            sort_keys=True,
        )
    )


def duckdb_count(endpoint, uris):
    """The rows DuckDB reads from the data files `uris` (s3://bucket/key…)."""
    if not uris:
        return 0
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for index, uri in enumerate(uris):
            bucket, key = uri[len("s3://") :].split("/", 1)
            path = os.path.join(directory, "%d.parquet" % index)
            s3.download_file(bucket, urllib.parse.unquote(key), path)
            paths.append(path)
        return duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [paths]).fetchone()[0]


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the test reads the message
        print("delta_read: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)
    # deltalake's native runtime sometimes aborts while the interpreter shuts down ("terminate
    # called without an active exception"), after the answer is written: leave without the
    # shutdown, once the output is out.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
