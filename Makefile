# The two commands: `make run` and `make test`. Everything else is a helper.
.PHONY: run build build-server build-web test bench clean setup

BUILD_TYPE ?= Release
# ccache hits across checkouts in different folders.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

run: build
	@scripts/run

build: setup build-server build-web

setup:
	@scripts/setup

build-server:
	@cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DVEZA_TESTS=OFF >/dev/null
	@ninja -C build/release veza
	@echo "built build/release/veza"

build-web:
	@scripts/build-web

test:
	@scripts/test

bench: build
	@bench/run

clean:
	rm -rf build web/dist
