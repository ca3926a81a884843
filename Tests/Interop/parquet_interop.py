"""Reads the Parquet files ParquetLite wrote with pyarrow AND DuckDB and compares every value,
and pyarrow's row-group statistics, with what the writer was given.

Usage: parquet_interop.py DIRECTORY REPORT.json

For every DIRECTORY/*.parquet there is a *.parquet.expected.json written by the Swift test:
{"rows": N, "columns": [{"name", "kind", "values": [string or null, ...]}, ...],
 optionally "encodings": {column: [encoding names that must appear]}, "row_groups": count}.
Values are strings: decimal digits for integers and unscaled decimals, Swift's float text,
hex for bytes and UTF-8 text. The report lists every mismatch; the exit code is 1 if any.
"""

import glob
import json
import math
import os
import struct
import sys
import uuid
import decimal
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

EPOCH_DAYS = 719163  # date(1970, 1, 1).toordinal()
decimal.getcontext().prec = 80  # exact for DECIMAL(38) and beyond


def expected_value(kind, text):
    """The Python value a reader should produce for one expected string."""
    if text is None:
        return None
    if kind == "bool":
        return text == "true"
    if kind in ("int", "uint32", "uint64", "date") or kind.startswith("timestamp"):
        return int(text)
    if kind == "float64":
        return float(text)
    if kind == "float32":
        return struct.unpack("<f", struct.pack("<f", float(text)))[0]
    if kind == "string":
        return bytes.fromhex(text).decode("utf-8")
    if kind in ("bytes", "uuid"):
        return bytes.fromhex(text)
    if kind.startswith("decimal"):
        return Decimal(int(text)).scaleb(-int(kind.split(":")[1]))
    raise ValueError("unknown kind " + kind)


def normalise(kind, value):
    """A reader's value in the form expected_value gives."""
    if value is None:
        return None
    if kind in ("bytes", "uuid"):
        if isinstance(value, uuid.UUID):
            return value.bytes
        return bytes(value)
    if kind == "date" and not isinstance(value, int):
        return value.toordinal() - EPOCH_DAYS
    if kind.startswith("decimal"):
        return Decimal(value)
    return value


def same(kind, left, right):
    if left is None or right is None:
        return left is None and right is None
    if kind.startswith("float"):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    return left == right


def pyarrow_column(table, column):
    array = table.column(column["name"])
    kind = column["kind"]
    if kind.startswith("timestamp"):
        array = array.cast(pa.int64())
    elif kind == "date":
        array = array.cast(pa.int32())
    if isinstance(array.type, pa.ExtensionType):
        array = pa.chunked_array([chunk.storage for chunk in array.chunks], type=array.type.storage_type)
    return array.to_pylist()


def duckdb_select(column):
    name = '"%s"' % column["name"].replace('"', '""')
    kind = column["kind"]
    if kind.startswith("timestamp"):
        unit = kind.split(":")[1]
        return {"ms": "epoch_ms(%s)", "us": "epoch_us(%s)", "ns": "epoch_ns(%s)"}[unit] % name
    if kind == "date":
        return "(%s - DATE '1970-01-01')" % name
    return name


def check_values(reader, path, document, columns_values, failures):
    checked = 0
    for column, actual in zip(document["columns"], columns_values):
        kind = column["kind"]
        if len(actual) != document["rows"]:
            failures.append("%s %s %s: %d values, expected %d" % (reader, path, column["name"], len(actual), document["rows"]))
            continue
        for row, (text, value) in enumerate(zip(column["values"], actual)):
            want = expected_value(kind, text)
            got = normalise(kind, value)
            checked += 1
            if not same(kind, want, got):
                failures.append("%s %s %s row %d: read %r, wrote %r" % (reader, path, column["name"], row, got, want))
                break
    return checked


def physical_bound(kind, raw):
    """A statistics bound (pyarrow's raw physical value) in expected_value's form."""
    if kind == "uint32":
        return raw & 0xFFFFFFFF
    if kind == "uint64":
        return raw & 0xFFFFFFFFFFFFFFFF
    if kind == "string":
        return raw if isinstance(raw, bytes) else raw.encode()
    if kind.startswith("decimal"):
        scale = int(kind.split(":")[1])
        number = int.from_bytes(raw, "big", signed=True) if isinstance(raw, bytes) else raw
        return Decimal(number).scaleb(-scale)
    return raw


def check_statistics(path, document, failures):
    metadata = pq.ParquetFile(path).metadata
    start = 0
    for group_index in range(metadata.num_row_groups):
        group = metadata.row_group(group_index)
        end = start + group.num_rows
        for column_index, column in enumerate(document["columns"]):
            kind = column["kind"]
            stats = group.column(column_index).statistics
            where = "%s group %d %s" % (path, group_index, column["name"])
            values = [expected_value(kind, text) for text in column["values"][start:end]]
            nulls = sum(1 for value in values if value is None)
            if stats is None or stats.null_count != nulls:
                failures.append("%s: null_count %s, true %d" % (where, stats and stats.null_count, nulls))
                continue
            ordered = [v for v in values if v is not None and not (kind.startswith("float") and math.isnan(v))]
            if kind == "string":
                ordered = [v.encode() for v in ordered]
            if not ordered:
                if stats.has_min_max:
                    failures.append("%s: min/max written for a chunk without ordered values" % where)
                continue
            if not stats.has_min_max:
                failures.append("%s: no min/max" % where)
                continue
            true_min, true_max = min(ordered), max(ordered)
            low, high = physical_bound(kind, stats.min_raw), physical_bound(kind, stats.max_raw)
            if kind in ("string", "bytes") and (len(true_min) > 64 or len(true_max) > 64):
                # Truncated bounds: still bounds, and short.
                if not (low <= true_min and high >= true_max and len(low) <= 64 and len(high) <= 64):
                    failures.append("%s: truncated bounds %r..%r do not bound %r..%r" % (where, low[:80], high[:80], true_min[:80], true_max[:80]))
                continue
            if not (same(kind, low, true_min) or (kind.startswith("float") and low == true_min)) or not (
                same(kind, high, true_max) or (kind.startswith("float") and high == true_max)
            ):
                failures.append("%s: min/max %r..%r, true %r..%r" % (where, low, high, true_min, true_max))
        start = end


def check_layout(path, document, failures):
    metadata = pq.ParquetFile(path).metadata
    if not metadata.created_by.startswith("parquet-lite version"):
        failures.append("%s: created_by %r" % (path, metadata.created_by))
    if "row_groups" in document and metadata.num_row_groups != document["row_groups"]:
        failures.append("%s: %d row groups, expected %d" % (path, metadata.num_row_groups, document["row_groups"]))
    if metadata.num_row_groups < document.get("min_row_groups", 0):
        failures.append("%s: %d row groups, expected at least %d" % (path, metadata.num_row_groups, document["min_row_groups"]))
    names = [column["name"] for column in document["columns"]]
    for name, wanted in document.get("encodings", {}).items():
        found = set()
        for group_index in range(metadata.num_row_groups):
            found |= set(metadata.row_group(group_index).column(names.index(name)).encodings)
        if not set(wanted) <= found:
            failures.append("%s %s: encodings %s, expected at least %s" % (path, name, sorted(found), wanted))
    for name, wanted in document.get("codecs", {}).items():
        for group_index in range(metadata.num_row_groups):
            found = metadata.row_group(group_index).column(names.index(name)).compression
            if found != wanted:
                failures.append("%s %s: codec %s, expected %s" % (path, name, found, wanted))
    for key, value in document.get("key_value_metadata", {}).items():
        if (metadata.metadata or {}).get(key.encode()) != value.encode():
            failures.append("%s: key-value metadata %r missing" % (path, key))


def main():
    directory, report_path = sys.argv[1], sys.argv[2]
    failures = []
    files = sorted(glob.glob(os.path.join(directory, "*.parquet")))
    checked = 0
    for path in files:
        with open(path + ".expected.json") as handle:
            document = json.load(handle)
        try:
            table = pq.read_table(path, page_checksum_verification=True)
            checked += check_values("pyarrow", path, document, [pyarrow_column(table, c) for c in document["columns"]], failures)
            if document["columns"]:
                select = ", ".join(duckdb_select(c) for c in document["columns"])
                rows = duckdb.connect().execute("SELECT %s FROM read_parquet(?)" % select, [path]).fetchall()
                by_column = [[row[i] for row in rows] for i in range(len(document["columns"]))]
                checked += check_values("duckdb", path, document, by_column, failures)
            check_statistics(path, document, failures)
            check_layout(path, document, failures)
        except Exception as error:  # a reader that cannot read the file is a failure, with its reason
            failures.append("%s: %s: %s" % (path, type(error).__name__, error))
    report = {"files": len(files), "values_checked": checked, "failures": failures[:200], "failure_count": len(failures),
              "pyarrow": pa.__version__, "duckdb": duckdb.__version__}
    with open(report_path, "w") as handle:
        json.dump(report, handle, indent=1)
    sys.exit(1 if failures or not files else 0)


if __name__ == "__main__":
    main()
