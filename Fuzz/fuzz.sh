#!/usr/bin/env bash
# libFuzzer targets for the engine's parsers and renderers (docs/fuzzing.md).
#   Fuzz/fuzz.sh build            build the libraries with -sanitize=fuzzer,address, then each target
#   Fuzz/fuzz.sh seeds            gather the seed corpus from Examples/, Templates/, Tests/, ../shared/conformance/
#   Fuzz/fuzz.sh run [target...]  build, seed, and run each target for FUZZ_SECONDS (default 60)
# Environment: FUZZ_SECONDS (per target), FUZZ_TIMEOUT (seconds per input, default 1),
# FUZZ_RSS_MB (default 1024), FUZZ_MALLOC_MB (largest single allocation, default 512),
# FUZZ_MAX_LEN (bytes per input, default 65536), FUZZ_JOBS (parallel targets, default 1),
# FUZZ_LEAKS (1 to report leaks; default 0: the static meta-schema graph is cyclic and never freed),
# FUZZ_ARGS (more libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to save every finding and go on).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scratch=$root/.build-fuzz
out=$scratch/fuzz
targets=(template expression json schema markdown ndjson serve lsp)

build() {
    swift build -c release --target CustomUIServer --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address
    local bin
    bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
    mkdir -p "$out"
    local objects=()
    for module in CustomUICore JSONSchema Markdown Streaming CustomUI TemplateLibrary CustomUIServer; do
        # The objects of the module's current sources (the folder keeps those of deleted files).
        local object
        while read -r object; do
            [[ -f $object ]] && objects+=("$object")
        done < <(grep -o '"object" *: *"[^"]*"' "$bin/$module.build/output-file-map.json" | sed 's/.*: *"//; s/"$//')
    done
    for target in "${targets[@]}"; do
        if [[ -x $out/$target && -z $(find Fuzz/Targets "${objects[@]}" -newer "$out/$target" -print -quit) ]]; then
            continue
        fi
        echo "linking $target"
        swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name Fuzz_$target \
            -I "$bin/Modules" -I "$bin" -Xcc -fmodule-map-file=Sources/CLibXML2/module.modulemap \
            -Xcc -fmodule-map-file=Sources/CSQLite/module.modulemap \
            -Xcc -fmodule-map-file=Sources/CMicroHTTPD/module.modulemap \
            -Xcc -fmodule-map-file=Sources/CLibPQ/module.modulemap \
            $(pkg-config --cflags-only-I libxml-2.0 sqlite3 libmicrohttpd libpq | sed 's/-I/-Xcc -I/g') \
            Fuzz/Targets/Support.swift "Fuzz/Targets/$target.swift" "${objects[@]}" \
            $(pkg-config --libs libxml-2.0 sqlite3 libmicrohttpd libpq) -o "$out/$target" 2>&1 | grep -v "Cannot export local symbol" || true
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
    # Server requests: a flags byte, `METHOD TARGET`, header lines, an empty line, the body.
    local i=0 request
    for request in 'GET /' 'GET /?q=story' 'GET /ui/story-writer' 'GET /ui/support-reply?theme=dark' \
        'GET /assets/runtime.js' 'GET /assets/customui.css' 'GET /preview' 'GET /api/watch' \
        'GET /api/session/x/events' 'POST /api/session/x/action\n\naction=run' 'POST /rate/story-writer\n\nstars=4' \
        'POST /ui/story-writer\ncontent-type: application/x-www-form-urlencoded\n\ntopic=a+b%20c&length=short' \
        'PUT /' 'GET /ui/article-summary\nhost: evil.example\n\n' 'POST /ui/x\norigin: http://evil\n\na=b'; do
        { printf '\0'; printf "$request"; } >"$corpus/serve/r$i"
        i=$((i + 1))
    done
    # Language server streams: a byte choosing the chunk size, then framed JSON-RPC messages.
    lsp() { printf 'Content-Length: %d\r\n\r\n%s' "$(printf '%s' "$1" | wc -c)" "$1"; }
    local init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}' file uri=file:///fuzz/a.ui.xml n=0
    for file in Examples/*/*.ui.xml; do
        command -v jq >/dev/null || break
        local open change
        open=$(jq -cRs --arg uri "$uri" '{jsonrpc:"2.0",method:"textDocument/didOpen",params:{textDocument:{uri:$uri,languageId:"xml",version:1,text:.}}}' "$file")
        change='{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"'$uri'","version":2},"contentChanges":[{"range":{"start":{"line":1,"character":0},"end":{"line":1,"character":3}},"text":"<ca"}]}}'
        {
            printf '\7'
            lsp "$init"
            lsp "$open"
            lsp "$change"
            for method in hover completion definition formatting codeAction documentSymbol; do
                lsp '{"jsonrpc":"2.0","id":2,"method":"textDocument/'$method'","params":{"textDocument":{"uri":"'$uri'"},"position":{"line":3,"character":5},"range":{"start":{"line":0,"character":0},"end":{"line":9,"character":0}},"options":{"tabSize":2}}}'
            done
            lsp '{"jsonrpc":"2.0","id":3,"method":"shutdown"}'
            lsp '{"jsonrpc":"2.0","method":"exit"}'
        } >"$corpus/lsp/l$n"
        n=$((n + 1))
    done
    { printf '\1'; lsp "$init"; printf 'Content-Length: 99999999\r\n\r\nxx'; lsp '[1]'; printf 'bad\r\n\r\n'; } >"$corpus/lsp/framing"
    echo "seeds: $(for t in "${targets[@]}"; do printf '%s %s  ' "$t" "$(ls "$corpus/$t" | wc -l)"; done)"
}

run() {
    local chosen=("$@")
    [[ ${#chosen[@]} -eq 0 ]] && chosen=("${targets[@]}")
    build
    [[ -d $scratch/corpus ]] || seeds
    mkdir -p "$scratch/findings" "$scratch/logs"
    local jobs=${FUZZ_JOBS:-1} status=0
    # LeakSanitizer's report at exit: only the statics of .ci/lsan.supp (not leaks) are suppressed.
    export LSAN_OPTIONS="suppressions=$root/.ci/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    # Swift's crash backtracer reads the crashed process's memory, which AddressSanitizer reports
    # as an error of its own after every trap; libFuzzer prints the stack instead.
    export SWIFT_BACKTRACE=enable=no
    for target in "${chosen[@]}"; do
        mkdir -p "$scratch/found/$target"
        echo "fuzzing $target for ${FUZZ_SECONDS:-60} s"
        (
            cd "$scratch/findings"
            "$out/$target" "$scratch/found/$target" "$scratch/corpus/$target" \
                -max_total_time="${FUZZ_SECONDS:-60}" -timeout="${FUZZ_TIMEOUT:-1}" \
                -rss_limit_mb="${FUZZ_RSS_MB:-1024}" -malloc_limit_mb="${FUZZ_MALLOC_MB:-512}" \
                -max_len="${FUZZ_MAX_LEN:-65536}" -detect_leaks="${FUZZ_LEAKS:-0}" -print_final_stats=1 -artifact_prefix="$scratch/findings/$target-" ${FUZZ_ARGS:-} \
                >"$scratch/logs/$target.log" 2>&1
        ) &
        while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || status=1; done
    done
    while [[ $(jobs -rp | wc -l) -gt 0 ]]; do wait -n || status=1; done
    for target in "${chosen[@]}"; do
        # The last status line (in fork mode the only summary there is).
        printf '%-10s %s\n' "$target" "$(grep -E '^#[0-9]+' "$scratch/logs/$target.log" | tail -n 1)"
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
