"""moto's server, with two fixes: Kinesis puts in O(1), and GetRecords in O(records returned).

moto 5.2.5 finds a shard's last sequence number by copying every key the shard holds
(`list(self.records.keys())[-1]`) on every put, so putting n records costs O(n²): 4,100
records/s into an empty 4-shard stream, 260/s once it holds 100,000, and three minutes for the
demo's 133,000 events. The records dict keeps insertion order and sequence numbers only grow, so
its first and last keys are the minimum and maximum: this launcher makes those two lookups O(1)
and otherwise runs moto's own server (same arguments as `moto_server`).

moto's GetRecords walks every record the shard holds to find those after the iterator, so each
read costs O(shard size): a live stream at 2,000 events/s had reads of several seconds after ten
minutes, and the walk failed with "OrderedDict mutated during iteration" (HTTP 500) whenever a
put landed during it. A shard's sequence numbers are consecutive integers from its first record
(each put takes the last plus one), so the records after n are found by key: the launcher reads
them that way, without walking, when the keys are contiguous, and falls back to moto's walk
otherwise.
"""

import sys

from moto.kinesis.models import Shard
from moto.server import main


def _max_sequence_number(self):
    return next(reversed(self.records)) if self.records else 0


def _min_sequence_number(self):
    return next(iter(self.records)) if self.records else 0


def _get_records(self, last_sequence_id, limit):
    last = int(last_sequence_id)
    records = self.records
    if not records:
        return [], last, 0
    first = next(iter(records))
    newest = next(reversed(records))
    if newest - first + 1 != len(records):
        return _moto_get_records(self, last_sequence_id, limit)
    start = max(last + 1, first)
    end = newest if limit is None else min(newest, start + limit - 1)
    results = [records[number] for number in range(start, end + 1)]
    if not results:
        return [], last, 0
    behind = records[newest].created_at - results[-1].created_at
    return results, results[-1].sequence_number, int(behind * 1000)


_moto_get_records = Shard.get_records
Shard.get_records = _get_records
Shard.get_max_sequence_number = _max_sequence_number
Shard.get_min_sequence_number = _min_sequence_number

if __name__ == "__main__":
    sys.exit(main())
