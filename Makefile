# The project's interface. `make test` and (later) `make demo` set up everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help deps build services services-stop services-status services-clean lint format test test-unit test-full bench-aws bench-pg bench-parquet bench-parquet-read bench-ingest bench-silver bench-gold bench-year bench-items bench-serve demo demo-live evaluate measure-live bench-suite fuzz-parquet clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

deps:  ## Install missing Debian packages and the pinned Python tools (.venv); idempotent
	@scripts/deps.sh

build: deps  ## Build every target (warnings are errors in our own targets)
	swift build --build-tests

services: deps  ## Start PostgreSQL and moto on 127.0.0.1 (free ports); addresses in .services/env
	@scripts/services.sh start

services-stop:  ## Stop the local services; no process of ours is left
	@scripts/services.sh stop

services-status:  ## Show whether the local services run, and where
	@scripts/services.sh status

services-clean:  ## Stop the services and delete the throwaway cluster and logs
	@scripts/services.sh clean

lint:  ## swift format lint, strict
	swift format lint --strict --recursive Sources Tests Package.swift Benchmarks/Package.swift Benchmarks/Sources Benchmarks/Benchmarks

format:  ## Rewrite sources in the house format
	swift format --in-place --recursive Sources Tests Package.swift Benchmarks/Package.swift Benchmarks/Sources Benchmarks/Benchmarks

demo:  ## The whole pipeline on 14 simulated days (10 stores × 200 products, 2 % dirty), a summary, then the dashboard on 127.0.0.1:8080; under 5 min
	@scripts/demo.sh

evaluate: deps  ## Closed-loop replenishment: 4 ordering policies × 5 chains (10 stores × 200 products × 56 days), outcomes, frontier, calibration, forecasts vs statsforecast; report in .evaluate/ (~10 min)
	@scripts/evaluate.sh

demo-live: deps  ## lakehouse demo --live: events in real time, the pipeline following, freshness and alerts every 5 s; Ctrl-C stops
	@scripts/demo-live.sh

measure-live: deps  ## lakehouse run under 2,000 events/s in real time for 10 min: freshness p50/p99, CPU, idle CPU, peak memory (scripts/measure-live.sh --processes 2: two processes)
	@scripts/measure-live.sh

test: deps  ## Build, lint, start the services, run every test, stop the services
	@scripts/test.sh

test-unit: deps  ## The hermetic unit targets only: nothing running, no Python, no openssl (about a minute)
	@scripts/test.sh --unit

test-full: deps  ## As `make test`, with scale tests at full size (LAKEHOUSE_TEST_SCALE=full)
	@LAKEHOUSE_TEST_SCALE=full scripts/test.sh

bench-aws: deps  ## AWSLite vs boto3: SigV4 signatures/s and PutRecords requests/s (ends with `bench …` lines)
	scripts/benchmarks.sh build -c release --product aws-compare
	Benchmarks/.build/release/aws-compare --python .venv/bin/python

bench-pg: deps  ## PGLite vs psql \copy (COPY) and vs psycopg 3 (staged upsert), DATASET.md table
	@scripts/bench-with-services.sh pg-compare

bench-parquet: deps  ## ParquetLite vs pyarrow: DATASET.md table, zstd/snappy/none, rows/s and file sizes; polars and DuckDB as further zstd peers
	scripts/benchmarks.sh build -c release --product parquet-compare
	Benchmarks/.build/release/parquet-compare --python .venv/bin/python
	scripts/benchmarks.sh build -c release --product parquet-memory
	Benchmarks/.build/release/parquet-memory

bench-parquet-read: deps  ## ParquetLite vs polars (two threads each, then one) and pyarrow: the DATASET.md table written by pyarrow (zstd), every column
	scripts/benchmarks.sh build -c release --product parquet-read-compare
	Benchmarks/.build/release/parquet-read-compare --python .venv/bin/python

bench-ingest: deps  ## producer vs boto3 into moto (events/s), ingest of a 200,000-record backlog vs a boto3 consumer, ingest lag at 2,000 events/s
	@scripts/bench-with-services.sh ingest-compare

fuzz-parquet: deps  ## libFuzzer + ASan on ParquetLite's reader (FUZZ_SECONDS, default 1800; corpus in .build/fuzz)
	@scripts/fuzz-parquet.sh

bench-silver: deps  ## silver transform vs DuckDB (read_json → rules → COPY parquet zstd) on 1,000,000 bronze records; end-to-end silver rows/s on moto and PostgreSQL; instructions per record (callgrind)
	@scripts/bench-with-services.sh silver-compare
	@scripts/silver-instructions.sh

bench-gold: deps  ## A gold refresh of 10,000 new events on top of 10,000,000 events of history vs on top of 1,000,000 (time ratio, target ≤ 1.3)
	@scripts/bench-with-services.sh gold-compare

bench-year: deps  ## A simulated year (4 stores × 50 products, 2 % dirty) through the real pipeline on moto and PostgreSQL, with maintenance and retention: refresh, silver batch, read of a day, files, PostgreSQL bytes, S3 objects against simulated day (.build/bench-year/year.svg); then the 500,000-item refresh (bench-items)
	@scripts/bench-with-services.sh year-bench
	@scripts/bench-with-services.sh cardinality-compare

bench-items: deps  ## A gold refresh of 10,000 new events at 500,000 store × product items vs at 2,000, same days of history (time ratio, target ≥ 0.67)
	@scripts/bench-with-services.sh cardinality-compare

bench-serve: deps  ## The dashboard under wrk (Overview, Store, Item, two API calls at 200 requests/s) while lakehouse run ingests 2,000 events/s: p50/p99, requests/s, pipeline freshness with and without the load
	@scripts/bench-serve.sh

bench-suite: deps  ## The ordo-one/benchmark suites in Benchmarks/ (regression tracking, no peer)
	scripts/benchmarks.sh suite

clean: services-clean  ## Remove build products, services and the Python tools
	rm -rf .build .venv Benchmarks/.build
