#!/usr/bin/env python3
"""The function-length check of `make test`: no function, initialiser, subscript or computed
property in the given source folders longer than --max lines (default 60), counted from its
declaration to its closing brace. Prints the longest ones and exits 1 when one is over.

    scripts/function-lengths.py [--max 60] [--list] FOLDER_OR_FILE...

A long function is split into named steps (see Sources/LakehouseCore/Gold/GoldJob.swift), and
long SQL goes into a named constant next to it.
"""
import os
import re
import sys

DECLARATION = re.compile(
    r"\b(func\s+[A-Za-z_][A-Za-z0-9_]*|init[?!]?\s*[(<]|subscript\s*\(|(var|let)\s+[A-Za-z_][A-Za-z0-9_]*\s*:[^=]*\{\s*$)")
STRING = re.compile(r'"(\\.|[^"\\])*"')


def lengths(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    for index, line in enumerate(lines):
        if line.strip().startswith("//") or not DECLARATION.search(line):
            continue
        depth, started, end = 0, False, index
        while end < len(lines):
            code = STRING.sub('""', lines[end]).split("//")[0]
            for character in code:
                if character == "{":
                    depth, started = depth + 1, True
                elif character == "}":
                    depth -= 1
            if (started and depth <= 0) or (not started and end > index + 8):
                break
            end += 1
        if started:
            yield end - index + 1, index + 1, line.strip()[:90]


def main(arguments):
    limit, listing, folders = 60, False, []
    while arguments:
        argument = arguments.pop(0)
        if argument == "--max":
            limit = int(arguments.pop(0))
        elif argument == "--list":
            listing = True
        else:
            folders.append(argument)
    found, paths = [], []
    for folder in folders:
        if os.path.isfile(folder):
            paths.append(folder)
        elif not os.path.isdir(folder):
            print(f"function-lengths: no such file or folder: {folder}", file=sys.stderr)
            return 2
        for root, _, files in os.walk(folder):
            paths += [os.path.join(root, name) for name in files if name.endswith(".swift")]
    for path in paths:
        found += [(n, path, line, text) for n, line, text in lengths(path)]
    found.sort(reverse=True)
    over = [entry for entry in found if entry[0] > limit]
    for n, path, line, text in (found[:10] if listing else over):
        print(f"{n} lines: {path}:{line}: {text}")
    if over:
        print(f"function-lengths: {len(over)} over {limit} lines in {', '.join(folders)}: split them into named steps",
              file=sys.stderr)
        return 1
    print(f"function-lengths: none over {limit} lines in {', '.join(folders)} (longest {found[0][0] if found else 0})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
