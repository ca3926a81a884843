#!/usr/bin/env bash
# The API-breakage check of `make test`: for each library in scripts/api-releases.txt, compare
# its public API with its last release (swift package diagnose-api-breaking-changes, which
# builds that commit in .build); a breaking change fails unless the library's version constant
# is bumped past the release (major, or minor below 1.0). Needs the repository's history.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# "0.3.1" "0.3.0" -> 0 when the first is a version a breaking change may have.
may_break() {
    local now=$1 released=$2
    IFS=. read -r now_major now_minor _ <<<"$now"
    IFS=. read -r old_major old_minor _ <<<"$released"
    if ((now_major > old_major)); then return 0; fi
    ((now_major == 0 && old_major == 0 && now_minor > old_minor))
}

# The releases are found in the history: a shallow clone is deepened first.
if [[ $(git rev-parse --is-shallow-repository) == true ]]; then
    git fetch --unshallow --quiet || {
        echo "api-check: this clone is shallow and could not be deepened (git fetch --unshallow); the releases' commits are needed" >&2
        exit 1
    }
fi

failed=0
while read -r name released release; do
    [[ -z $name || $name == \#* ]] && continue
    source_file="Sources/$name/$name.swift"
    current=$(sed -n 's/.*static let version = "\([0-9]*\.[0-9]*\.[0-9]*\)".*/\1/p' "$source_file")
    if [[ -z $current ]]; then
        echo "api-check: no x.y.z version constant in $source_file" >&2
        exit 1
    fi
    # The release's commit, when the file names it; else the commit that set that version.
    if [[ -z ${release:-} ]]; then
        release=$(git log --format=%H -S "version = \"$released\"" -- "$source_file" | tail -1)
    fi
    if [[ -z $release ]]; then
        echo "api-check: no commit set $name's version to $released ($source_file): is the history complete (not a shallow clone)?" >&2
        exit 1
    fi
    echo "api-check: $name $current against its release $released (${release:0:10})"
    report=$(swift package diagnose-api-breaking-changes "$release" --products "$name" 2>&1 </dev/null |
        grep -v '^\[\|warning: \|^    /' || true)
    if grep -q "No breaking changes detected in $name" <<<"$report"; then
        echo "api-check: $name: no breaking change"
    elif grep -q "breaking changes\? detected in $name" <<<"$report"; then
        if may_break "$current" "$released"; then
            echo "api-check: $name: breaking changes, and $current is a new major (or minor below 1.0) version past $released"
        else
            echo "$report" | sed -n "/detected in $name/,\$p" >&2
            echo "api-check: $name has breaking changes since $released but its version is still $current: bump it ($source_file) and say so in CHANGELOG.md" >&2
            failed=1
        fi
    else
        echo "$report" >&2
        echo "api-check: the comparison of $name did not finish" >&2
        failed=1
    fi
done <scripts/api-releases.txt
exit "$failed"
