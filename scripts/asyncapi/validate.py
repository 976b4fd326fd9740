#!/usr/bin/env python3
"""Validates an AsyncAPI 3.0 document against the official JSON Schema of the
specification (from the npm package @asyncapi/specs), with Python's jsonschema.

    validate.py DOCUMENT.json SPEC_SCHEMA.json

Prints every violation (path: message) and exits 1 if there is one.
"""

import json
import sys

from jsonschema import Draft7Validator


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        document = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        spec = json.load(f)
    Draft7Validator.check_schema(spec)
    errors = sorted(Draft7Validator(spec).iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        # "not valid under any of the given schemas": show the deepest complaint.
        while error.context:
            error = max(error.context, key=lambda e: len(e.absolute_path))
        path = "/".join(str(p) for p in error.absolute_path) or "(root)"
        print(f"{path}: {error.message}"[:500])
    if errors:
        print(f"{len(errors)} violation(s) of the AsyncAPI {document.get('asyncapi')} schema")
        return 1
    print(f"valid AsyncAPI {document.get('asyncapi')} ({sys.argv[2]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
