#!/usr/bin/env python3
"""Times jsonschema-rs on the same schema and instance as `customui-bench schema` (pip install jsonschema-rs).

    python3 compare.py                      # jsonschema-rs figures only, named rs.schema.*
    python3 compare.py --swift BENCH [--rounds N]   # also run BENCH (the release customui-bench binary), print ratios
    python3 compare.py --cpu BENCH [--rounds N]     # CPU time per call on both sides, which load disturbs least

Within a round each figure is the best of three timings, on both sides, because the machine is shared. With
--swift the two are run alternately (rs, Swift, rs, Swift; 5 rounds unless --rounds says otherwise) so that both
see the same background load, and each figure is the median of its rounds. With --cpu each side's CPU
time (user + system) per call is measured instead: jsonschema-rs with `time.process_time` around a loop of
calls, CustomUI as a child process (`PROFILE_ISVALID=N` etc.) whose CPU time, from wait4, less that of the
same process with N = 0 (start-up, parsing and the one compile), is divided by N. The instance is loaded
into Python objects once; jsonschema-rs converts them on every call, which is part of what its API costs.
"""
import importlib.metadata, json, os, statistics, subprocess, sys, time
import jsonschema_rs

here = os.path.dirname(os.path.abspath(__file__))
schema = json.load(open(os.path.join(here, "props.schema.json")))
instance_text = open(os.path.join(here, "instance.json")).read()
instance = json.loads(instance_text)


def seconds_per_call(body, minimum=0.4, runs=3):
    body()
    n = 0
    start = time.perf_counter()
    while True:
        body()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= minimum and n >= runs:
            return elapsed / n


def best(body):
    return min(seconds_per_call(body) for _ in range(3))


def many(f):
    def run():
        for _ in range(100):
            f()
    return run


def rust_figures():
    figures = {}
    figures["schema.compile.props"] = (best(lambda: jsonschema_rs.validator_for(schema)) * 1e6, "us")
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid(instance)
    figures["schema.is-valid.10kb"] = (100 / best(many(lambda: validator.is_valid(instance))), "validations/s")
    figures["schema.validate.10kb"] = (100 / best(many(lambda: list(validator.iter_errors(instance)))), "validations/s")
    invalid = dict(instance, theme="sepia", extra=1)
    figures["schema.validate.10kb-invalid"] = (100 / best(many(lambda: list(validator.iter_errors(invalid)))), "validations/s")
    figures["schema.parse-and-validate.10kb"] = (1 / best(lambda: validator.is_valid(json.loads(instance_text))), "documents/s")
    return figures


def swift_figures(binary):
    out = subprocess.run([binary, "schema"], check=True, capture_output=True, text=True).stdout
    figures = {}
    for line in out.splitlines():
        name, value, unit = line.split(" ", 2)
        figures[name] = (float(value), unit)
    return figures


def merge(runs):
    values, units = {}, {}
    for figures in runs:
        for name, (value, unit) in figures.items():
            values.setdefault(name, []).append(value)
            units[name] = unit
    return {name: (statistics.median(v), units[name]) for name, v in values.items()}


def rust_cpu():
    validator = jsonschema_rs.validator_for(schema)
    invalid = dict(instance, theme="sepia", extra=1)
    calls = {
        "compile": (lambda: jsonschema_rs.validator_for(schema), 300),
        "is-valid": (lambda: validator.is_valid(instance), 3000),
        "validate": (lambda: list(validator.iter_errors(instance)), 3000),
        "validate-invalid": (lambda: list(validator.iter_errors(invalid)), 1000),
    }
    figures = {}
    for name, (call, n) in calls.items():
        start = time.process_time()
        for _ in range(n):
            call()
        figures[name] = (time.process_time() - start) / n * 1e6
    return figures


def swift_cpu(binary):
    def cpu(variable, n):
        process = subprocess.Popen([binary, "schema"], env=dict(os.environ, **{variable: str(n)}),
                                   stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        return usage.ru_utime + usage.ru_stime
    runs = {"compile": ("PROFILE_COMPILE", 1000), "is-valid": ("PROFILE_ISVALID", 20000),
            "validate": ("PROFILE_VALIDATE", 20000), "validate-invalid": ("PROFILE_INVALID", 5000)}
    return {name: (cpu(variable, n) - cpu(variable, 0)) / n * 1e6 for name, (variable, n) in runs.items()}


def interleaved(flag, rust, swift):
    """Runs the peer and CustomUI (the binary after `flag`) in turn, `--rounds` times (default 5)."""
    binary = sys.argv[sys.argv.index(flag) + 1]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    rust_runs, swift_runs = [], []
    for _ in range(rounds):
        rust_runs.append(rust())
        swift_runs.append(swift(binary))
    return rounds, rust_runs, swift_runs


def main():
    lower = lambda unit: unit == "us"
    if "--cpu" in sys.argv:
        rounds, rust_runs, swift_runs = interleaved("--cpu", rust_cpu, swift_cpu)
        print(f"jsonschema-rs {importlib.metadata.version('jsonschema-rs')}, CPU time per call, "
              f"{rounds} interleaved rounds (medians), load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'figure':20} {'CustomUI us':>12} {'jsonschema-rs us':>17}  ratio (CustomUI/rs time)")
        for name in rust_runs[0]:
            s = statistics.median(r[name] for r in swift_runs)
            r = statistics.median(r[name] for r in rust_runs)
            print(f"{name:20} {s:12.1f} {r:17.1f}  {s / r:.2f}x")
        return
    if "--swift" not in sys.argv:
        for name, (value, unit) in rust_figures().items():
            print(f"rs.{name} {value:.1f} {unit}")
        return
    rounds, rust_runs, swift_runs = interleaved("--swift", rust_figures, swift_figures)
    rust, swift = merge(rust_runs), merge(swift_runs)
    print(f"jsonschema-rs {importlib.metadata.version('jsonschema-rs')}, "
          f"{rounds} interleaved rounds (medians), load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'figure':34} {'CustomUI':>16} {'jsonschema-rs':>16}  ratio (rs/CustomUI speed)")
    for name, (rvalue, unit) in rust.items():
        if name not in swift:
            continue
        svalue = swift[name][0]
        ratio = svalue / rvalue if lower(unit) else rvalue / svalue
        print(f"{name:34} {svalue:>12.1f} {unit[:3]:3} {rvalue:>12.1f} {unit[:3]:3}  {ratio:.2f}x")


main()
