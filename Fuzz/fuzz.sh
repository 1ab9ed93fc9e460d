#!/usr/bin/env bash
# libFuzzer targets for the engine's parsers and renderers (docs/fuzzing.md).
#   Fuzz/fuzz.sh build            build the libraries with -sanitize=fuzzer,address, then each target
#   Fuzz/fuzz.sh seeds            gather the seed corpus from Examples/, Templates/, Tests/, ../shared/conformance/
#   Fuzz/fuzz.sh run [target...]  build, seed, and run each target for FUZZ_SECONDS (default 60)
# Environment: FUZZ_SECONDS (per target), FUZZ_TIMEOUT (seconds per input, default 1),
# FUZZ_RSS_MB (default 1024), FUZZ_MALLOC_MB (largest single allocation, default 512),
# FUZZ_MAX_LEN (bytes per input, default 65536), FUZZ_JOBS (parallel targets, default 1),
# FUZZ_LEAKS (1 to report leaks; default 0: the static meta-schema graph is cyclic and never freed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=$root/.build-fuzz
out=$scratch/fuzz
targets=(template expression json schema markdown ndjson)

build() {
    swift build -c release --target CustomUI --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address
    local bin
    bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
    mkdir -p "$out"
    local objects=()
    for module in CustomUICore JSONSchema Markdown Streaming CustomUI; do
        objects+=("$bin/$module.build"/*.o)
    done
    for target in "${targets[@]}"; do
        if [[ -x $out/$target && -z $(find Fuzz/Targets "${objects[@]}" -newer "$out/$target" -print -quit) ]]; then
            continue
        fi
        echo "linking $target"
        swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name Fuzz_$target \
            -I "$bin/Modules" -I "$bin" -Xcc -fmodule-map-file=Sources/CLibXML2/module.modulemap \
            $(pkg-config --cflags-only-I libxml-2.0 | sed 's/-I/-Xcc -I/g') \
            Fuzz/Targets/Support.swift "Fuzz/Targets/$target.swift" "${objects[@]}" \
            $(pkg-config --libs libxml-2.0) -o "$out/$target" 2>&1 | grep -v "Cannot export local symbol" || true
        [[ -x $out/$target ]] || { echo "fuzz: linking $target failed" >&2; exit 1; }
    done
}

seeds() {
    local corpus=$scratch/corpus
    rm -rf "$corpus"
    mkdir -p "${targets[@]/#/$corpus/}"
    local conformance=$root/../shared/conformance
    find Examples Templates Tests -name '*.xml' -exec cp --backup=numbered -t "$corpus/template" {} +
    # Expressions: every {{ … }} and test/items attribute in the templates.
    cat Examples/*/*.ui.xml Templates/*.ui.xml Tests/CustomUITests/Fixtures/*.xml \
        | grep -oE '\{\{[^}]*\}\}|(test|items)="[^"]*"' | sed -E 's/^\{\{ *//; s/ *\}\}$//; s/^(test|items)="//; s/"$//' \
        | sort -u | split -l 1 - "$corpus/expression/e"
    find Examples Templates Schemas -name '*.json' -exec cp --backup=numbered -t "$corpus/json" {} +
    find Schemas -name '*.json' -exec cp --backup=numbered -t "$corpus/schema" {} +
    find Examples -name '*.ndjson' -exec cp --backup=numbered -t "$corpus/ndjson" {} +
    if command -v jq >/dev/null && [[ -d $conformance ]]; then
        # Markdown: the CommonMark examples (a first byte picks the chunking).
        jq -r '.[] | @base64 "\(.markdown)"' "$conformance/commonmark/spec.json" | head -700 | {
            i=0
            while read -r line; do { printf 'A'; echo "$line" | base64 -d; } >"$corpus/markdown/m$i"; i=$((i + 1)); done
        }
        # Schemas and instances: the JSON Schema test suite's cases, schema NUL instance.
        for file in "$conformance"/json-schema-test-suite/*.json; do
            jq -c '.[] | .schema as $s | .tests[] | [$s, .data]' "$file"
        done | head -2000 | {
            i=0
            while read -r pair; do
                { jq -c '.[0]' <<<"$pair"; printf '\0'; jq -c '.[1]' <<<"$pair"; } >"$corpus/schema/s$i"
                i=$((i + 1))
            done
        }
        find "$conformance/json-schema-metaschemas" -name '*.json' -exec cp --backup=numbered -t "$corpus/json" {} +
    else
        echo "fuzz: jq or ../shared/conformance missing: markdown and schema seeds come from the repository only" >&2
    fi
    find Examples Templates docs -name '*.md' -exec cp --backup=numbered -t "$corpus/markdown" {} +
    echo "seeds: $(for t in "${targets[@]}"; do printf '%s %s  ' "$t" "$(ls "$corpus/$t" | wc -l)"; done)"
}

run() {
    local chosen=("$@")
    [[ ${#chosen[@]} -eq 0 ]] && chosen=("${targets[@]}")
    build
    [[ -d $scratch/corpus ]] || seeds
    mkdir -p "$scratch/findings" "$scratch/logs"
    local jobs=${FUZZ_JOBS:-1} status=0
    for target in "${chosen[@]}"; do
        mkdir -p "$scratch/found/$target"
        echo "fuzzing $target for ${FUZZ_SECONDS:-60} s"
        (
            cd "$scratch/findings"
            "$out/$target" "$scratch/found/$target" "$scratch/corpus/$target" \
                -max_total_time="${FUZZ_SECONDS:-60}" -timeout="${FUZZ_TIMEOUT:-1}" \
                -rss_limit_mb="${FUZZ_RSS_MB:-1024}" -malloc_limit_mb="${FUZZ_MALLOC_MB:-512}" \
                -max_len="${FUZZ_MAX_LEN:-65536}" -detect_leaks="${FUZZ_LEAKS:-0}" -print_final_stats=1 -artifact_prefix="$scratch/findings/$target-" \
                >"$scratch/logs/$target.log" 2>&1
        ) &
        while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || status=1; done
    done
    while [[ $(jobs -rp | wc -l) -gt 0 ]]; do wait -n || status=1; done
    for target in "${chosen[@]}"; do
        printf '%-10s %s\n' "$target" "$(grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units)' "$scratch/logs/$target.log" | tr '\n' ' ')"
    done
    ls "$scratch/findings" | grep -q . && { echo "findings in $scratch/findings:"; ls "$scratch/findings"; status=1; }
    return $status
}

case ${1:-run} in
    build) build ;;
    seeds) seeds ;;
    run) shift || true; run "$@" ;;
    *) echo "usage: Fuzz/fuzz.sh build | seeds | run [target...]" >&2; exit 2 ;;
esac
