"""Reads Parquet files with pyarrow and DuckDB and prints their rows as JSON, in the shape
ParquetLite's row view gives (maps as lists of {"key", "value"} objects), for the nested writer's
interoperability test.

Usage: nested_read.py FILE...   → {"FILE": {"pyarrow": [rows], "duckdb": [rows]}, ...}
"""

import json
import sys

import duckdb
import pyarrow.parquet as pq


def plain(value):
    """pyarrow's Python values in JSON terms; its map entries (tuples) become key/value objects."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, tuple) and len(value) == 2:
        return {"key": plain(value[0]), "value": plain(value[1])}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def main():
    result = {}
    for path in sys.argv[1:]:
        table = pq.read_table(path)
        rows = [plain(row) for row in table.to_pylist()]
        connection = duckdb.connect()
        source = f"read_parquet('{path}')"
        described = connection.sql(f"SELECT * FROM {source}")
        # Top-level MAP columns as lists of key/value structs (DuckDB gives maps as dicts).
        selections = [
            f'map_entries("{name}") AS "{name}"' if str(kind).startswith("MAP") else f'"{name}"'
            for name, kind in zip(described.columns, described.types)
        ]
        relation = connection.sql(f"SELECT {', '.join(selections)} FROM {source}")
        names = relation.columns
        duck = [plain(dict(zip(names, row))) for row in relation.fetchall()]
        result[path] = {"pyarrow": rows, "duckdb": duck}
    json.dump(result, sys.stdout)


main()
