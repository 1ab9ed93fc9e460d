# Conveniences over the two README commands; every target works without make too.
.PHONY: setup build test demo bench lint format

setup:
	.ci/setup

build: setup
	swift build

test: setup
	swift test --no-parallel

demo: setup
	swift run customui run Examples/story-writer/story-writer.ui.xml --no-input

bench: setup
	swift run -c release customui-bench

lint:
	swift format lint --recursive --strict Sources Tests

format:
	swift format --in-place --recursive Sources Tests
