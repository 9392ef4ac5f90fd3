#!/usr/bin/env python3
# cause: knobs — hashseed (requires any; not seed-dependent)
#
# A configuration loader that tries the parsers of several formats and keeps
# the first that accepts the text. The candidate formats are a set of
# strings, so they are tried in the set's iteration order: the order of the
# strings' hashes modulo the table size (8 slots for 3 strings), and Python
# randomises string hashes per process unless PYTHONHASHSEED is set. The text
# is valid TOML and also "valid" for the naive INI parser, which keeps the
# quotes and reads every value as a string: the test fails when "ini" is
# tried first.
#
# Free (PYTHONHASHSEED=random): the order is new in every process; "ini"
# comes first in about a third of the runs.
# Pinned (PYTHONHASHSEED=0): the hash key is zero, so the order is the same in
# every run and "conf" comes first: every run passes. Checked for both string
# hash functions CPython has used on 64-bit builds: SipHash-1-3 (3.11 and
# later; measured with 3.11.7) puts the three in slots conf 1, ini 3, toml 6;
# SipHash-2-4 (3.4 to 3.10) in slots conf 2, toml 6, ini 7. No two share a
# slot, so the order is the slot order however the set was built.
# Nothing else (seed, threads, time, addresses) enters the outcome.
import sys

TEXT = 'name = "deflake"\nretries = 3\n'
EXPECTED = {"name": "deflake", "retries": 3}


def parse_key_values(text, typed):
    config = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError("not key = value")
        value = value.strip()
        if typed:  # TOML and .conf: quoted strings and integers
            value = value[1:-1] if value.startswith('"') else int(value)
        config[key.strip()] = value  # INI (the bug): every value a raw string
    return config


PARSERS = {
    "toml": lambda text: parse_key_values(text, typed=True),
    "conf": lambda text: parse_key_values(text, typed=True),
    "ini": lambda text: parse_key_values(text, typed=False),
}


def load(text):
    for name in {"toml", "conf", "ini"}:  # set order: the strings' hash order
        try:
            return name, PARSERS[name](text)
        except ValueError:
            continue
    raise ValueError("no parser accepts the text")


def main():
    name, config = load(TEXT)
    if config != EXPECTED:
        print(f"FAIL: parsed as {name}: {config} != {EXPECTED}")
        return 1
    print(f"ok: parsed as {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
