#!/usr/bin/env python3
"""Validates crimetab report JSON files against a JSON Schema.

usage: validate-json.py SCHEMA FILE...

Checks the schema itself first, then each file; prints every error with
its path in the document and exits 1 if any, 2 without python3-jsonschema.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write("validate-json: needs jsonschema (Debian: python3-jsonschema)\n")
    sys.exit(2)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"validate-json: {path}: /{where}: {err.message}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
