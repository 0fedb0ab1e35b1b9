#!/usr/bin/env python3
"""Prints, as JSON, the schema fingerprint vectors of Avro's own test suite as the `avro` package
ships them (avro.test.test_schema.FINGERPRINT_EXAMPLES: each a schema and its CRC-64-AVRO, MD5 and
SHA-256 fingerprints, the CRC-64 as the 8 bytes in little-endian order, in hex), with the Parsing
Canonical Form `avro` gives each. Nothing of it is copied into the repository: the tests run this
with the Python of scripts/avro/python.sh."""
import json
import avro
import avro.schema
from avro.test import test_schema

vectors = []
for schema_text, fingerprints in test_schema.FINGERPRINT_EXAMPLES:
    vectors.append({
        "schema": schema_text,
        "crc64": fingerprints[0],
        "canonical": avro.schema.parse(schema_text).canonical_form,
    })
print(json.dumps({"avroPackage": avro.__version__, "vectors": vectors}))
