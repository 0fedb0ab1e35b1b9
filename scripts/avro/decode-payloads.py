#!/usr/bin/env python3
"""Decodes single-object Avro payloads of Fineract's schema sets with the Python `avro` package:
the reference the Swift encoder and FineractMessageBuilder are checked against.

Reads one payload per line, in hexadecimal, from the file named as the argument (or stdin); writes one JSON object per line:
{"schema": fullname, "fingerprint": hex, "releases": [...], "value": tagged value} (the tagged form
of generate-fixtures.py: every Avro type explicit), or {"error": text} for a payload it cannot
decode. The writer schema is chosen by the payload's fingerprint among the roots of every set in
Sources/FineractEvents/Fineract/FineractSchemaSets.swift.

Usage: "$(bash scripts/avro/python.sh)" scripts/avro/decode-payloads.py [FILE]
"""
import importlib.util, json, os, sys
import avro.schema

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("generate_fixtures", os.path.join(HERE, "generate-fixtures.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)


def writer_schemas():
    """{fingerprint bytes: (fullname, parsed schema, [releases])} for every named record of every set."""
    found = {}
    for release, defs in sorted(gen.load_sets().items()):
        for name, definition in defs.items():
            if definition.get("type") != "record":
                continue
            schema_json = gen.inline(defs, name)
            fp = gen.fingerprint(schema_json)
            if fp in found:
                found[fp][2].append(release)
            else:
                found[fp] = (name, avro.schema.parse(json.dumps(schema_json)), [release])
    return found


def main():
    schemas = writer_schemas()
    source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    for line in source:
        text = line.strip()
        if not text:
            continue
        try:
            data = bytes.fromhex(text)
            if data[:2] != b"\xc3\x01" or len(data) < 10:
                raise ValueError("not a single-object payload")
            entry = schemas.get(data[2:10])
            if entry is None:
                raise ValueError("unknown fingerprint " + data[2:10].hex())
            name, schema, releases = entry
            value = gen.decode(schema, data[10:])
            out = {"schema": name, "fingerprint": data[2:10].hex(), "releases": releases, "value": gen.tag(schema, value)}
        except Exception as error:  # reported to the test, which fails on it
            out = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(out, ensure_ascii=False, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
