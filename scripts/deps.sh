#!/usr/bin/env bash
# Installs what the build, the tests and the demo need, idempotently and without prompts:
#   - Debian packages (C libraries, pkg-config, PostgreSQL server, chromium and its driver for
#     the dashboard's browser tests, curl for its live stream's test, wrk for make bench-serve,
#     valgrind for the instruction count of make bench-silver),
#     through apt-get;
#   - pinned Python tools (moto, boto3, pyarrow, duckdb, deltalake, psycopg) in a project-local
#     virtualenv (.venv, or $LAKEHOUSE_VENV).
# apt-get update runs only when a package is missing and the package lists are empty or stale.
#
#   scripts/deps.sh [--system | --python | --services]
#
# Default: everything. --system: the Debian packages only. --python: the Python tools only.
# --services: only moto's server (pinned by the same file), what the demo needs; it installs
# while the demo builds.
set -euo pipefail
part=${1:-all}
case $part in all | --system | --python | --services) ;; *) echo "usage: $0 [--system | --python | --services]" >&2; exit 2 ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
venv=${LAKEHOUSE_VENV:-$root/.venv}
requirements=$root/scripts/requirements-dev.txt
apt_packages=(curl wrk valgrind libpq-dev libcurl4-openssl-dev libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev pkg-config postgresql openssl chromium chromium-driver)

say() { echo "deps: $*" >&2; }

command -v swift >/dev/null || { say "swift is not on PATH; install the Swift 6.2+ toolchain first"; exit 1; }

missing=()
[[ $part == --python || $part == --services ]] && apt_packages=()
for package in "${apt_packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$package")
done
python_ok=1
python3 -c 'import venv, ensurepip' 2>/dev/null || { python_ok=0; missing+=(python3 python3-venv); }

if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null; then sudo_cmd=(sudo -n); else
            say "missing Debian packages: ${missing[*]}; run as root or: apt-get install ${missing[*]}"
            exit 1
        fi
    else
        sudo_cmd=()
    fi
    export DEBIAN_FRONTEND=noninteractive
    install() { "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; }
    say "installing Debian packages: ${missing[*]}"
    if ! compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; then
        say "package lists are empty: running apt-get update"
        "${sudo_cmd[@]}" apt-get update -q
        install
    elif ! install; then
        say "install failed with the current package lists: running apt-get update and retrying"
        "${sudo_cmd[@]}" apt-get update -q
        install
    fi
fi
((python_ok)) || python3 -c 'import venv, ensurepip' || { say "python3 has no venv module"; exit 1; }
[[ $part == --system ]] && exit 0

wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
stamp=$venv/.lakehouse-requirements.sha256
if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$wanted" ]]; then
    exit 0
fi
if [[ $part == --services ]]; then
    services_stamp=$venv/.lakehouse-services.sha256
    if [[ -x $venv/bin/python && -f $services_stamp && $(cat "$services_stamp") == "$wanted" ]]; then
        exit 0
    fi
    say "installing moto's server in $venv"
    [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -c "$requirements" 'moto[server]'
    echo "$wanted" >"$services_stamp"
    exit 0
fi
say "creating the Python tools virtualenv in $venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
echo "$wanted" >"$stamp"
say "Python tools installed from $(basename "$requirements")"
