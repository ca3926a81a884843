"""Fetches a /metrics page and parses it with prometheus_client's parser (a real Prometheus text
parser, not ours); prints each sample as JSON: [{"name", "labels", "value", "type"}, ...].
A page the parser refuses fails with its error.

    prometheus_parse.py URL
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    with urllib.request.urlopen(sys.argv[1], timeout=10) as answer:
        content_type = answer.headers.get("Content-Type", "")
        text = answer.read().decode("utf-8")
    samples = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.append({"name": sample.name, "labels": sample.labels, "value": sample.value, "type": family.type})
    print(json.dumps({"contentType": content_type, "samples": samples}))


if __name__ == "__main__":
    main()
