# kfix - thin wrapper over CMake/ctest. `make run` and `make test` are the two
# commands a fresh Debian bookworm machine needs.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
PYTHON := /usr/bin/python3
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

# Debian packages kfix builds and tests with (DEVELOPERS.md).
DEPS := cmake ninja-build g++ pkg-config make \
        nlohmann-json3-dev libyaml-dev libre2-dev libsodium-dev libsqlite3-dev zlib1g-dev libcurl4-openssl-dev libjemalloc-dev \
        pybind11-dev python3-pybind11 doctest-dev libbenchmark-dev \
        python3-dev python3-pytest python3-mypy python3-setuptools python3-wheel python3-venv python3-pip \
        python3-pandas python3-distributed python3-jsonschema abigail-tools clang binutils chromium time

.PHONY: deps configure build test run bench bench-table test-asan clean format

deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "make deps: all packages present"; fi

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=$(PYTHON) $(LAUNCHER) $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE slow

run: build
	./$(BUILD)/kfix run --out $(BUILD)/run --html $(BUILD)/run/report.html --epss examples/feeds/epss.csv --kev examples/feeds/kev.json \
	  --images examples/feeds/trivy-nginx-latest.json examples/manifests

# Ratios on a shared machine: make bench BENCH_FLAGS="--benchmark_repetitions=8
# --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true"
BENCH_FLAGS ?=
bench: build
	@for b in $(BUILD)/benchmarks/bench_*; do [ -x "$$b" ] && { echo "== $$b"; "$$b" $(BENCH_FLAGS) || exit 1; }; done
	@if [ -d ../shared/corpus ]; then echo "== docs/performance.md table over ../shared/corpus"; \
	  $(PYTHON) benchmarks/perf_table.py --kfix $(BUILD)/kfix --raw $(BUILD)/benchmarks/raw_libyaml ../shared/corpus; fi

# The docs/performance.md table alone (no Google Benchmark binaries).
bench-table: build
	$(PYTHON) benchmarks/perf_table.py --kfix $(BUILD)/kfix --raw $(BUILD)/benchmarks/raw_libyaml $(BENCH_DIR)
BENCH_DIR ?= ../shared/corpus

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPython3_EXECUTABLE=$(PYTHON) \
	  -DKFIX_SANITIZE=address,undefined -DKFIX_BUILD_PYTHON=OFF -DKFIX_BUILD_BENCHMARKS=OFF $(LAUNCHER) $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -LE 'slow|python'

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
