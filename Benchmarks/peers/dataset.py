"""The benchmark table of ../shared/bench/DATASET.md, by its formulas (mirrors DatasetTable.swift)."""

import datetime
import hashlib

MASK = (1 << 64) - 1
CATS = "DAIRY BAKERY FRUIT VEGETABLES MEAT FISH FROZEN PANTRY BEVERAGES HOUSEHOLD HYGIENE SNACKS".split()
PAY = ["CREDIT CARD", "CASH", "APP"]
CLI = ["REGULAR", "PREMIUM", "NEW"]
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def rows(count):
    """Tuples in column order; sale_timestamp as an aware datetime, loyalty_id None for NULL."""
    out = []
    basket = None
    for i in range(count):
        k = i // 3
        if i % 3 == 0:
            h = "%016x%016x" % (splitmix64(2 * k), splitmix64(2 * k + 1))
            basket = "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
        p = splitmix64(i) % 2000
        quantity = 1 + splitmix64(i + 11) % 5
        cents = p % 997 + 50
        micros = 1767225600000000 + k * 250000
        loyalty = None if splitmix64(k + 19) % 10 < 6 else splitmix64(k + 23) % 1000000000
        out.append((
            basket, "P%05d" % p, "Product %05d" % p, CATS[p % 12], "STORE_%03d" % (splitmix64(k + 7) % 50),
            quantity, cents / 100.0, (cents * quantity) / 100.0,
            EPOCH + datetime.timedelta(microseconds=micros),
            PAY[splitmix64(k + 13) % 3], CLI[splitmix64(k + 17) % 3], loyalty,
        ))
    return out


def canonical(row):
    micros = (row[8] - EPOCH) // datetime.timedelta(microseconds=1)
    values = list(row[:6]) + ["%.2f" % row[6], "%.2f" % row[7], str(micros), row[9], row[10],
                              "" if row[11] is None else str(row[11])]
    return "|".join(str(v) for v in values)


def verify():
    digest = hashlib.sha256("".join(canonical(r) + "\n" for r in rows(1000)).encode()).hexdigest()
    assert digest == "fa590ab65438961ca8ad9df41fda56201cff7ebf5271c01278b4338ad9b9a1d5", digest
