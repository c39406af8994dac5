# dronewall — the common targets. The build itself is CMake (CMakeLists.txt);
# this file only wraps it so that the usual commands are short.
#
#   make          build everything into build/
#   make test     build and run every test, plain and under ASan+UBSan
#   make demo     run the main job (see README.md)
#   make bench    run the benchmarks, with the peers' figures beside ours
#   make fuzz     run each fuzz target for FUZZ_SECONDS (default 30)

BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
SHARED ?= $(abspath ../shared)

.PHONY: all build test demo bench fuzz bootstrap clean

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/CMakeCache.txt:
	@echo "build: configuring $(BUILD)/"
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

# The compiler's chatter goes to a log; on failure its tail is shown.
build: $(BUILD)/CMakeCache.txt
	@echo "build: compiling into $(BUILD)/ (log: $(BUILD)/build.log)"
	@cmake --build $(BUILD) -j $(JOBS) > $(BUILD)/build.log 2>&1 || \
	  { tail -n 40 $(BUILD)/build.log; echo "build: failed, see $(BUILD)/build.log"; exit 1; }

test: bootstrap
	@scripts/webdeps
	@$(MAKE) --no-print-directory build
	@cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

demo: bootstrap
	@$(MAKE) --no-print-directory build
	@scripts/demo

bench: bootstrap
	@$(MAKE) --no-print-directory build
	@scripts/bench

fuzz: bootstrap
	@scripts/fuzz

clean:
	rm -rf $(BUILD)
