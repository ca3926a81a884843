"""The end-of-year reconciliation of `make bench-year`, from other engines' side.

Usage: year_check.py ENDPOINT SILVER_BUCKET GOLD_BUCKET

delta-rs reads the silver sales and quarantine tables and the gold bucket's exported fact_sales;
DuckDB adds up the units sold in silver (every sale row as delta-rs reads the table) and in the
exported months. Prints {"silver_rows", "quarantine_rows", "silver_sale_units",
"exported_sale_units", "exported_sale_rows"}.
"""

import json
import os
import sys

import duckdb
from deltalake import DeltaTable


def main():
    endpoint, silver, gold = sys.argv[1], sys.argv[2], sys.argv[3]
    options = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    sales = DeltaTable("s3://%s/sales" % silver, storage_options=options).to_pyarrow_table(
        columns=["event_type", "quantity"]
    )
    quarantine = DeltaTable("s3://%s/quarantine" % silver, storage_options=options).to_pyarrow_table(
        columns=["reason"]
    )
    connection = duckdb.connect()
    silver_units = connection.execute(
        "SELECT coalesce(sum(quantity), 0) FROM sales WHERE event_type = 'sale'"
    ).fetchone()[0]
    exported_units, exported_rows = 0, 0
    try:
        exported = DeltaTable("s3://%s/fact_sales" % gold, storage_options=options).to_pyarrow_table(
            columns=["quantity"]
        )
        exported_units, exported_rows = connection.execute(
            "SELECT coalesce(sum(quantity), 0), count(*) FROM exported"
        ).fetchone()
    except Exception as error:  # no month exported yet: the table does not exist
        if "no files in log segment" not in str(error).lower() and "not a delta table" not in str(error).lower():
            raise
    print(
        json.dumps(
            {
                "silver_rows": sales.num_rows,
                "quarantine_rows": quarantine.num_rows,
                "silver_sale_units": int(silver_units),
                "exported_sale_units": int(exported_units),
                "exported_sale_rows": int(exported_rows),
            }
        )
    )


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)
