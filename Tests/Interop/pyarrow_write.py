"""Writes Parquet files with pyarrow for ParquetLite's reader to read (the other direction of
parquet_interop.py): DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, DELTA_BINARY_PACKED,
PLAIN and dictionary encodings; data pages v1 and v2; every codec; several row groups; nulls.

Usage: pyarrow_write.py DIRECTORY. For each DIRECTORY/<name>.parquet it writes
<name>.parquet.expected.json: {"rows": N, "columns": [{"name", "kind", "values": [...]}]} with
values as strings (decimal text for integers, repr for floats, hex for bytes and UTF-8 text) or null.
"""

import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 2500


def column_values():
    strings = [None if i % 11 == 0 else "item-%04d-%s" % (i // 3, "x" * (i % 17)) for i in range(ROWS)]
    strings[1] = ""
    strings[2] = "größe ✓ 日本"
    return {
        "s": (pa.string(), strings),
        "b": (pa.binary(), [None if i % 13 == 0 else bytes([i % 256, (i * 7) % 256]) * (i % 5) for i in range(ROWS)]),
        "i32": (pa.int32(), [None if i % 7 == 0 else (i * 7919) % 100003 - 50000 for i in range(ROWS)]),
        "i64": (pa.int64(), [(i * 1000003) ** 2 % (1 << 62) - (1 << 61) for i in range(ROWS)]),
        "f": (pa.float32(), [None if i % 5 == 0 else i / 8.0 for i in range(ROWS)]),
        "d": (pa.float64(), [i * 1.000001 - 1234.5 for i in range(ROWS)]),
        "fx": (pa.binary(4), [bytes([i % 256, 1, 2, (i // 256) % 256]) for i in range(ROWS)]),
    }


def render(kind, value):
    if value is None:
        return None
    if kind in ("s",):
        return value.encode().hex()
    if kind in ("b", "fx"):
        return value.hex()
    if kind in ("f", "d"):
        return repr(float(value))
    return str(value)


def main():
    directory = sys.argv[1]
    columns = column_values()
    table = pa.table({name: pa.array(values, type=kind) for name, (kind, values) in columns.items()})
    document = {"rows": ROWS, "columns": [
        {"name": name, "kind": name, "values": [render(name, v) for v in values]} for name, (_, values) in columns.items()
    ]}
    encodings = {
        "delta": {"s": "DELTA_LENGTH_BYTE_ARRAY", "b": "DELTA_BYTE_ARRAY", "i32": "DELTA_BINARY_PACKED",
                  "i64": "DELTA_BINARY_PACKED", "f": "BYTE_STREAM_SPLIT", "d": "BYTE_STREAM_SPLIT",
                  "fx": "DELTA_BYTE_ARRAY"},
        "split": {"s": "DELTA_BYTE_ARRAY", "b": "DELTA_LENGTH_BYTE_ARRAY", "i32": "BYTE_STREAM_SPLIT",
                  "i64": "BYTE_STREAM_SPLIT", "f": "PLAIN", "d": "PLAIN", "fx": "BYTE_STREAM_SPLIT"},
    }
    for codec in ["none", "snappy", "gzip", "zstd"]:
        for version in ["1.0", "2.0"]:
            suffix = "%s_v%s" % (codec, version[0])
            variants = {"dict": dict(use_dictionary=True), "plain": dict(use_dictionary=False)}
            for label, columns_encoding in encodings.items():
                variants[label] = dict(use_dictionary=False, column_encoding=columns_encoding)
            for label, options in variants.items():
                path = os.path.join(directory, "pyarrow_%s_%s.parquet" % (label, suffix))
                pq.write_table(table, path, compression=codec, data_page_version=version, row_group_size=1000,
                               data_page_size=4096, **options)
                with open(path + ".expected.json", "w") as handle:
                    json.dump(document, handle)


if __name__ == "__main__":
    main()
