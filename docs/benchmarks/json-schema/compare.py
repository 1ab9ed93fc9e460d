#!/usr/bin/env python3
"""Times jsonschema-rs on the same schema and instance as `customui-bench schema` (pip install jsonschema-rs).

Prints the same figure names as the Swift bench with an `rs.` prefix. The instance is loaded into Python
objects once; jsonschema-rs converts them on every call, which is part of what its API costs a caller.
"""
import json, os, time
import jsonschema_rs

here = os.path.dirname(os.path.abspath(__file__))
schema = json.load(open(os.path.join(here, "props.schema.json")))
instance_text = open(os.path.join(here, "instance.json")).read()
instance = json.loads(instance_text)

def seconds_per_call(body, minimum=1.0, runs=3):
    body()
    n = 0
    start = time.perf_counter()
    while True:
        body()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= minimum and n >= runs:
            return elapsed / n

compile_s = seconds_per_call(lambda: jsonschema_rs.validator_for(schema), minimum=0.5)
print(f"rs.schema.compile.props {compile_s * 1e6:.1f} us")
validator = jsonschema_rs.validator_for(schema)
assert validator.is_valid(instance)

def many(f):
    def run():
        for _ in range(100):
            f()
    return run

t = seconds_per_call(many(lambda: validator.is_valid(instance)))
print(f"rs.schema.is-valid.10kb {100 / t:.0f} validations/s")
t = seconds_per_call(many(lambda: list(validator.iter_errors(instance))))
print(f"rs.schema.validate.10kb {100 / t:.0f} validations/s")
invalid = dict(instance, theme="sepia", extra=1)
t = seconds_per_call(many(lambda: list(validator.iter_errors(invalid))), minimum=0.5)
print(f"rs.schema.validate.10kb-invalid {100 / t:.0f} validations/s")
t = seconds_per_call(lambda: validator.is_valid(json.loads(instance_text)))
print(f"rs.schema.parse-and-validate.10kb {1 / t:.0f} documents/s (Python json.loads + is_valid)")
