"""Reads one day of a Delta table the way a reader on another engine does, for `make bench-year`.

Usage: year_read.py ENDPOINT TABLE_URI DATE

delta-rs lists the table's files of partition event_date=DATE; each is fetched from the S3
endpoint (boto3; DuckDB's S3 extension is not installed here) and DuckDB reads them all. Prints
one JSON object: {"files": n, "rows": n, "seconds": s}, seconds covering the listing, the fetches
and DuckDB's read — what a reader of that day waits for, which grows with the number of files.
"""

import json
import os
import sys
import tempfile
import time
import urllib.parse

import boto3
import duckdb
from deltalake import DeltaTable


def main():
    endpoint, uri, date = sys.argv[1], sys.argv[2], sys.argv[3]
    options = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    started = time.perf_counter()
    table = DeltaTable(uri, storage_options=options)
    uris = table.file_uris(partition_filters=[("event_date", "=", date)])
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for index, file_uri in enumerate(uris):
            bucket, key = file_uri[len("s3://") :].split("/", 1)
            path = os.path.join(directory, "%d.parquet" % index)
            s3.download_file(bucket, urllib.parse.unquote(key), path)
            paths.append(path)
        rows = 0
        if paths:
            rows = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [paths]).fetchone()[0]
    print(json.dumps({"files": len(uris), "rows": rows, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)
