# Conveniences over the two README commands; every target works without make too.
.PHONY: setup build release test demo bench lint format fuzz sanitize-address sanitize-thread test-worst-case

setup:
	.ci/setup

build: setup
	swift build

# The CLI to install, with Swift and Foundation linked in statically (docs/decisions/static-cli.md).
release: setup
	swift build -c release --static-swift-stdlib --product customui

test: setup
	.ci/test

demo: setup
	swift run customui run Examples/story-writer/story-writer.ui.xml --no-input

bench: setup
	swift run -c release customui-bench

lint:
	swift format lint --recursive --strict Sources Tests Fuzz Package.swift

format:
	swift format --in-place --recursive Sources Tests Fuzz Package.swift

# libFuzzer targets (docs/fuzzing.md): FUZZ_SECONDS per target (default 60), FUZZ_TARGETS to choose.
fuzz: setup
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} Fuzz/fuzz.sh run $(FUZZ_TARGETS)

# The test suite under AddressSanitizer or ThreadSanitizer, each in its own build directory
# (docs/decisions/sanitizers.md); arguments for swift test in SANITIZE_ARGS (e.g. --filter X).
sanitize-address: setup
	.ci/sanitize address $(SANITIZE_ARGS)

sanitize-thread: setup
	.ci/sanitize thread $(SANITIZE_ARGS)

# Issue 16's worst cases against a release `customui`, with the 2 s CPU bound asserted
# (docs/decisions/hardening-budgets.md); the normal suite runs them on the debug build and asserts memory only.
test-worst-case: setup
	swift build -c release --product customui
	swift build --build-tests
	CUSTOMUI_BIN=$$(swift build -c release --show-bin-path)/customui CUSTOMUI_WORST_CASE_SECONDS=$${CUSTOMUI_WORST_CASE_SECONDS:-2} \
		swift test --skip-build --filter WorstCaseCommandTests
