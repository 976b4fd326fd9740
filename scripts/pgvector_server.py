#!/usr/bin/env python3
"""A PostgreSQL 16 with pgvector, from the PyPI package pgserver, for as long as this runs.

    pgvector_server.py --dir DIR --url-file FILE

Starts (or reuses) the server whose data is in DIR, listening only on a Unix socket, creates
the `vector` extension in its `postgres` database, writes the connection URL
(postgresql://postgres@localhost/postgres?host=SOCKET_DIR) to FILE, then waits. SIGTERM or SIGINT stops the
server (pgserver's clean-up runs `pg_ctl stop`) and ends this process: scripts/lib.sh starts
it with start_bg, so the server lives exactly as long as the script that wanted it.
"""

import argparse
import signal
import sys
import threading
from pathlib import Path

import pgserver


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--url-file", required=True, type=Path)
    args = parser.parse_args()

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    args.dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(args.dir, cleanup_mode="stop")
    try:
        server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
        # pgserver's own URI (postgresql://postgres:@/postgres?host=DIR) has an empty
        # host, which URL parsers (Rust's url, so sqlx) refuse: a placeholder host, which
        # libpq and sqlx both replace by the `host` parameter (the socket's directory).
        url = server.get_uri().replace("postgres:@/", "postgres@localhost/", 1)
        tmp = args.url_file.with_suffix(".tmp")
        tmp.write_text(url + "\n")
        tmp.replace(args.url_file)
        print(f"pgserver ready: {url}", flush=True)
        while not stop.wait(3600):
            pass
    finally:
        server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
