#!/usr/bin/env python3
"""Generates Tests/FineractEventsTests/Fixtures/avro-fixtures.json with the Python `avro` package.

The Swift decoder is hand-written, so its fixtures come from another implementation: this script
encodes values with `avro` (PyPI, `pip install avro`; made with 1.12.2) and records the bytes, the
values (tagged with their Avro types) and, for single-object payloads, the fingerprints. The tests
read only the generated JSON, so they need no Python.

Usage: "$(bash scripts/avro/python.sh)" scripts/avro/generate-fixtures.py
The Fineract schema sets are read from Sources/FineractEvents/Fineract/FineractSchemaSets.swift.

Fingerprints: `avro` 1.12.2's canonical form keeps a primitive that carries a logical type as an
object (`{"type":"bytes"}`), where the specification and the Java implementation Fineract uses
write `"bytes"`. The fingerprints here are therefore computed by `avro` from the schema with the
logical-type attributes removed, which gives the specification's canonical form.
"""
import argparse, base64, copy, datetime, decimal, io, json, os, struct, sys
import avro, avro.io, avro.schema

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "Tests", "FineractEventsTests", "Fixtures", "avro-fixtures.json")
NS = "org.apache.fineract.avro"
LOGICAL_KEYS = ("logicalType", "precision", "scale")


SETS = os.path.join(REPO, "Sources", "FineractEvents", "Fineract", "FineractSchemaSets.swift")


def load_sets():
    """The schema sets of FineractSchemaSets.swift: {release: {fullname: schema JSON}}. The file
    declares lists of documents (`static let NAME: [String] = [...]`) and each release as a sum of
    lists (`Release(name: "1.10.1", documents: common + only1_10_1)`)."""
    lists, releases, current = {}, {}, None
    with open(SETS) as f:
        for line in f:
            line = line.strip()
            if line.startswith("static let ") and line.endswith(": [String] = ["):
                current = line.split()[2].rstrip(":")
                lists[current] = []
            elif current and line.startswith('#"') and line.endswith('"#,'):
                lists[current].append(json.loads(line[2:-3]))
            elif line == "]":
                current = None
            elif line.startswith('Release(name: "'):
                name = line.split('"')[1]
                releases[name] = [part.strip() for part in line.split("documents:")[1].rstrip("),").split("+")]
    sets = {}
    for name, parts in releases.items():
        sets[name] = {j["name"]: j for part in parts for j in lists[part]}
    return sets


def inline(defs, root):
    """One self-contained schema: each referenced type of the set in full at its first use."""
    seen = set()
    prims = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}

    def walk(node, ns):
        if isinstance(node, str):
            if node in prims:
                return node
            full = node if "." in node else (ns + "." + node if ns else node)
            if full in seen or full not in defs:
                return full
            return walk(copy.deepcopy(defs[full]), None)
        if isinstance(node, list):
            return [walk(n, ns) for n in node]
        if isinstance(node, dict):
            t = node.get("type")
            if t in ("record", "error", "enum", "fixed"):
                name = node["name"]
                nns = name.rsplit(".", 1)[0] if "." in name else node.get("namespace", ns)
                full = name if "." in name else (nns + "." + name if nns else name)
                seen.add(full)
                if t in ("record", "error"):
                    node["fields"] = [dict(f, type=walk(f["type"], nns)) for f in node["fields"]]
                return node
            if t == "array":
                return dict(node, items=walk(node["items"], ns))
            if t == "map":
                return dict(node, values=walk(node["values"], ns))
            return dict(node, type=walk(t, ns))
        return node

    return walk(copy.deepcopy(defs[root]), None)


def strip_logical(node):
    if isinstance(node, list):
        return [strip_logical(n) for n in node]
    if isinstance(node, dict):
        return {k: strip_logical(v) for k, v in node.items() if k not in LOGICAL_KEYS}
    return node


def fingerprint(schema_json):
    return avro.schema.parse(json.dumps(strip_logical(schema_json))).fingerprint("CRC-64-AVRO")


def encode(schema, datum):
    buf = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(buf))
    return buf.getvalue()


def decode(schema, data):
    buf = io.BytesIO(data)
    value = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(buf))
    assert buf.tell() == len(data), "reader left bytes"
    return value


def tag(schema, datum):
    """The value as the tests expect it: every Avro type explicit, unions resolved as the writer does."""
    t = schema.type
    lt = schema.get_prop("logicalType")
    if t == "union":
        for branch in schema.schemas:
            if avro.io.validate(branch, datum):
                return tag(branch, datum)
        raise ValueError("no branch")
    if lt == "decimal" and t in ("bytes", "fixed"):
        scale = schema.get_prop("scale") or 0
        return {"$decimal": format(decimal.Decimal(datum).quantize(decimal.Decimal(1).scaleb(-scale)), "f")}
    if lt == "date":
        return {"$int": (datum - datetime.date(1970, 1, 1)).days}
    if lt == "timestamp-millis":
        delta = datum - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return {"$long": (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000}
    if t == "null":
        return None
    if t == "boolean":
        return datum
    if t in ("int", "long", "float", "double"):
        return {"$" + t: datum}
    if t == "string":
        return str(datum)
    if t == "bytes":
        return {"$bytes": datum.hex()}
    if t == "fixed":
        return {"$fixed": datum.hex()}
    if t == "enum":
        return {"$enum": datum}
    if t == "array":
        return [tag(schema.items, d) for d in datum]
    if t == "map":
        return {"$map": {k: tag(schema.values, v) for k, v in datum.items()}}
    if t in ("record", "error"):
        return {"$record": schema.fullname, "fields": [[f.name, tag(f.type, datum.get(f.name))] for f in schema.fields]}
    raise ValueError(t)


# A schema of the writer's every type (this project's own test schema).
ALL_TYPES = {
    "type": "record", "name": "AllTypes", "namespace": "test.avro", "fields": [
        {"name": "n", "type": "null"},
        {"name": "yes", "type": "boolean"},
        {"name": "no", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "iMin", "type": "int"},
        {"name": "iMax", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "lMin", "type": "long"},
        {"name": "lMax", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "b", "type": "bytes"},
        {"name": "s", "type": "string"},
        {"name": "empty", "type": "string"},
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "md5", "type": {"type": "fixed", "name": "MD5", "namespace": "other.ns", "size": 4}},
        {"name": "ints", "type": {"type": "array", "items": "int"}},
        {"name": "noInts", "type": {"type": "array", "items": "int"}},
        {"name": "labels", "type": {"type": "map", "values": "string"}},
        {"name": "maybe", "type": ["null", "string"]},
        {"name": "maybeNot", "type": ["null", "string"]},
        {"name": "either", "type": ["int", "string", "Color"]},
        {"name": "maybeColor", "type": ["null", "Color"]},
        {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
            {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 20, "scale": 8}},
            {"name": "when", "type": {"type": "int", "logicalType": "date"}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "key", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "sameColor", "type": "Color"},
            {"name": "hash", "type": "other.ns.MD5"},
        ]}},
        {"name": "inners", "type": {"type": "array", "items": "Inner"}},
        {"name": "fixedDecimal", "type": {"type": "fixed", "name": "Amount16", "size": 16, "logicalType": "decimal", "precision": 30, "scale": 2}},
        {"name": "list", "type": {"type": "record", "name": "Node", "fields": [
            {"name": "value", "type": "long"}, {"name": "next", "type": ["null", "Node"]}]}},
    ]}


def dec(text, scale=8):
    """A decimal at the schema's scale, as Fineract's Java writer gives it (avro 1.12.2's Python
    writer does not rescale: Decimal("1500.00") at scale 8 would be written as 0.00150000)."""
    return decimal.Decimal(text).quantize(decimal.Decimal(1).scaleb(-scale))


def inner(amount, day, key):
    return {"amount": dec(amount), "when": day,
            "at": datetime.datetime(2024, 3, 1, 12, 30, 45, 123000, tzinfo=datetime.timezone.utc),
            "key": key, "sameColor": "BLUE", "hash": b"\x00\xff\x10\x80"}


ALL_TYPES_VALUE = {
    "n": None, "yes": True, "no": False, "i": -123456, "iMin": -2**31, "iMax": 2**31 - 1,
    "l": 1234567890123, "lMin": -2**63, "lMax": 2**63 - 1, "f": -1.25, "d": 6.02214076e23,
    "b": bytes(range(0, 256, 15)), "s": "Ọ̀yọ́ naïra ₦ 𝄞", "empty": "", "color": "GREEN", "md5": b"\x01\x02\x03\x04",
    "ints": [0, -1, 1, 63, -64, 64, 8191, -8192, 2**31 - 1], "noInts": [], "labels": {"a": "x", "ñ": "", "long key": "y" * 200},
    "maybe": "here", "maybeNot": None, "either": "purple", "maybeColor": "BLUE",
    "inner": inner("-1234.5678", datetime.date(1969, 12, 31), "12345678-1234-5678-1234-567812345678"),
    "inners": [inner("0", datetime.date(2024, 2, 29), "00000000-0000-0000-0000-000000000000"),
               inner("99999999999.99999999", datetime.date(1970, 1, 1), "ffffffff-ffff-ffff-ffff-ffffffffffff"),
               inner("-0.00000001", datetime.date(2038, 1, 19), "a0b1c2d3-e4f5-4607-8899-aabbccddeeff")],
    "fixedDecimal": dec("-12345678901234567890123456.78", 2),
    "list": {"value": 1, "next": {"value": -2, "next": {"value": 3, "next": None}}},
}

# Arrays and maps written in several blocks, some with negative counts and byte sizes (Python's
# writer uses one block; the reader accepts these, and so must ours).
BLOCKS = {"type": "record", "name": "Blocks", "namespace": "test.avro", "fields": [
    {"name": "xs", "type": {"type": "array", "items": "long"}},
    {"name": "m", "type": {"type": "map", "values": "int"}},
    {"name": "nulls", "type": {"type": "array", "items": "null"}},
]}


def zz(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def string(s):
    b = s.encode()
    return zz(len(b)) + b


def blocks_bytes():
    out = bytearray()
    out += zz(2) + zz(1) + zz(-2)                       # block of 2
    body = zz(300) + zz(-70000)
    out += zz(-2) + zz(len(body)) + body                 # negative count, with byte size
    out += zz(1) + zz(2**40) + zz(0)                      # block of 1, end
    out += zz(1) + string("k1") + zz(7)
    body = string("k2") + zz(-8) + string("k3") + zz(9)
    out += zz(-2) + zz(len(body)) + body + zz(0)
    out += zz(3) + zz(-2) + zz(0) + zz(0)                 # 3 nulls then 2 nulls (with size 0)
    return bytes(out)


def filled(schema, depth=0, counter=[0]):
    """A value for every field of a Fineract schema (null only where depth runs out)."""
    counter[0] += 1
    k = counter[0]
    t = schema.type
    lt = schema.get_prop("logicalType")
    if t == "union":
        non_null = [s for s in schema.schemas if s.type != "null"]
        if depth > 3 or not non_null:
            return None
        return filled(non_null[0], depth, counter)
    if lt == "decimal":
        return dec(decimal.Decimal(k * 12345 - 100000) / 100 * (-1 if k % 3 == 0 else 1))
    if t == "null":
        return None
    if t == "boolean":
        return k % 2 == 0
    if t in ("int", "long"):
        return k * 37 - 500
    if t in ("float", "double"):
        return k + 0.5
    if t == "string":
        return f"text-{k}"
    if t == "bytes":
        return bytes([k % 256, 0, 255])
    if t == "enum":
        return schema.symbols[k % len(schema.symbols)]
    if t == "fixed":
        return bytes(schema.size)
    if t == "array":
        return [] if depth > 3 else [filled(schema.items, depth + 1, counter) for _ in range(2 if depth < 2 else 1)]
    if t == "map":
        return {} if depth > 3 else {f"k{k}": filled(schema.values, depth + 1, counter)}
    if t == "record":
        return {f.name: filled(f.type, depth + 1, counter) for f in schema.fields}
    raise ValueError(t)


def single_object(schema_json, schema, datum):
    fp = fingerprint(schema_json)
    return b"\xc3\x01" + fp + encode(schema, datum), fp


def main():
    ap = argparse.ArgumentParser()
    ap.parse_args()
    sets = load_sets()
    cases = []

    def binary_case(name, schema_json, datum, data=None):
        schema = avro.schema.parse(json.dumps(schema_json))
        data = data if data is not None else encode(schema, datum)
        assert decode(schema, data) is not None or datum is None
        # What `avro` writes for the decoded value (one block per array or map): what an encoder
        # must give for it (for "blocks", `hex` is hand-made in several blocks).
        reencoded = encode(schema, decode(schema, data))
        cases.append({"name": name, "schema": schema_json, "hex": data.hex(), "expected": tag(schema, decode(schema, data)),
                      "reencodedHex": reencoded.hex()})

    binary_case("all types", ALL_TYPES, ALL_TYPES_VALUE)
    blocks_schema = avro.schema.parse(json.dumps(BLOCKS))
    blocks = blocks_bytes()
    assert decode(blocks_schema, blocks) == {"xs": [1, -2, 300, -70000, 2**40], "m": {"k1": 7, "k2": -8, "k3": 9}, "nulls": [None] * 5}
    binary_case("blocks", BLOCKS, None, blocks)

    fineract = []
    for release in sorted(sets):
        defs = sets[release]
        schemas = {}
        for short in ("MessageV1", "BulkMessagePayloadV1", "loan.v1.LoanAccountDataV1", "loan.v1.LoanTransactionDataV1",
                      "loan.v1.LoanTransactionAdjustmentDataV1"):
            full = NS + "." + short
            sj = inline(defs, full)
            schemas[short] = (sj, avro.schema.parse(json.dumps(sj)))

        def payload(short, datum):
            sj, s = schemas[short]
            data, fp = single_object(sj, s, datum)
            return data, {"release": release, "schema": NS + "." + short, "fingerprint": fp.hex(),
                          "hex": data.hex(), "expected": tag(s, decode(s, data[10:]))}

        txn = {f.name: None for f in schemas["loan.v1.LoanTransactionDataV1"][1].fields}
        txn.update({"id": 9001, "loanId": 42, "externalLoanId": "L-42", "officeId": 3, "officeName": "Ikeja",
                    "type": {"id": 2, "code": "loanTransactionType.repayment", "value": "Repayment", "repayment": True},
                    "date": "2024-03-01", "amount": dec("1500.00"), "principalPortion": dec("1250.00"),
                    "interestPortion": dec("250.00"), "manuallyReversed": False,
                    "outstandingLoanBalance": dec("-0.00000001"),
                    "currency": {"code": "NGN", "name": "Naira", "decimalPlaces": 2, "inMultiplesOf": 0,
                                 "displaySymbol": "₦", "nameCode": "currency.NGN", "displayLabel": "Naira (₦)"},
                    "transactionRelations": [{"fromLoanTransaction": 9001, "toLoanTransaction": 8001, "relationType": "REPLAYED",
                                              "amount": dec("1500.00"), "paymentType": None}]})
        txn_type = schemas["loan.v1.LoanTransactionDataV1"][1].fields_dict["type"].type.schemas[1]
        txn["type"] = {f.name: txn["type"].get(f.name, False if f.type.type == "union" and "boolean" in [s.type for s in f.type.schemas] else None)
                       for f in txn_type.fields}
        relation_type = schemas["loan.v1.LoanTransactionDataV1"][1].fields_dict["transactionRelations"].type.schemas[1].items
        txn["transactionRelations"] = [{f.name: r.get(f.name) for f in relation_type.fields} for r in txn["transactionRelations"]]
        txn_bytes, txn_case = payload("loan.v1.LoanTransactionDataV1", txn)
        fineract.append(dict(txn_case, name="loan transaction"))

        message = {"id": 77, "source": "fineract-tenant-a", "type": "LoanTransactionMakeRepaymentPostBusinessEvent",
                   "category": "LOAN", "createdAt": "2024-03-01T10:15:30", "businessDate": "2024-03-01",
                   "tenantId": "default", "idempotencyKey": "5b0c3f2e-7d3a-4c5e-9a59-0c6f5e1c2b11",
                   "dataschema": NS + ".loan.v1.LoanTransactionDataV1", "data": txn_bytes}
        _, msg_case = payload("MessageV1", message)
        fineract.append(dict(msg_case, name="message with a loan transaction", dataHex=txn_bytes.hex()))

        adj = {"transactionToAdjust": dict(txn, id=8001, manuallyReversed=True), "newTransactionDetail": dict(txn, id=9002)}
        adj_bytes, adj_case = payload("loan.v1.LoanTransactionAdjustmentDataV1", adj)
        fineract.append(dict(adj_case, name="transaction adjustment"))

        loan = filled(schemas["loan.v1.LoanAccountDataV1"][1])
        loan_bytes, loan_case = payload("loan.v1.LoanAccountDataV1", loan)
        fineract.append(dict(loan_case, name="loan account, every field filled"))

        bulk = {"datas": [
            {"id": 1, "type": "LoanTransactionMakeRepaymentPostBusinessEvent", "category": "LOAN",
             "dataschema": NS + ".loan.v1.LoanTransactionDataV1", "data": txn_bytes},
            {"id": 2, "type": "LoanAdjustTransactionBusinessEvent", "category": "LOAN",
             "dataschema": NS + ".loan.v1.LoanTransactionAdjustmentDataV1", "data": adj_bytes},
            {"id": 3, "type": "LoanBalanceChangedBusinessEvent", "category": "LOAN",
             "dataschema": NS + ".loan.v1.LoanAccountDataV1", "data": loan_bytes}]}
        bulk_bytes, bulk_case = payload("BulkMessagePayloadV1", bulk)
        fineract.append(dict(bulk_case, name="bulk payload"))
        bulk_message = dict(message, id=78, type="BulkBusinessEvent", dataschema=NS + ".BulkMessagePayloadV1", data=bulk_bytes)
        _, bm_case = payload("MessageV1", bulk_message)
        fineract.append(dict(bm_case, name="message with a bulk payload", dataHex=bulk_bytes.hex()))

    out = {"generator": "scripts/avro/generate-fixtures.py", "avroPackage": "avro " + avro.__version__,
           "binary": cases, "singleObject": fineract}
    with open(OUT, "w") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} binary cases, {len(fineract)} single-object cases")


if __name__ == "__main__":
    main()
