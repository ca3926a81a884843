"""Validates point-of-sale records against schemas/pos-event.schema.json with the `jsonschema`
package (draft 2020-12, formats checked), as a producer's team would.

Usage: validate_events.py SCHEMA RECORDS.jsonl. Each line of RECORDS is
{"id": "...", "payload": "<the record's text>"}. Prints one JSON object:
{"valid": [ids], "invalid": {id: first error message}}; a payload that is not JSON is invalid.
"""

import json
import sys

from jsonschema import Draft202012Validator, FormatChecker


def main():
    schema = json.load(open(sys.argv[1]))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    valid, invalid = [], {}
    for line in open(sys.argv[2], encoding="utf-8"):
        entry = json.loads(line)
        try:
            record = json.loads(entry["payload"])
        except ValueError as error:
            invalid[entry["id"]] = "not JSON: %s" % error
            continue
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        if errors:
            invalid[entry["id"]] = errors[0].message
        else:
            valid.append(entry["id"])
    print(json.dumps({"valid": valid, "invalid": invalid}))


if __name__ == "__main__":
    main()
