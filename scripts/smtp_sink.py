#!/usr/bin/env python3
"""Local SMTP sink for development and tests (needs aiosmtpd: scripts/lib.sh installs it).

Accepts every message (any sender, any recipient, any AUTH, no TLS) and writes it to
DIR as one file per message:

    DIR/<UTC timestamp YYYYmmddTHHMMSS.ffffff>Z-<8 hex>.eml

The file holds the raw message bytes exactly as received (headers and body, CRLF line
endings), preceded by one extra header line listing the envelope recipients:

    X-Sink-Rcpt-To: a@example.com, b@example.com

Files appear atomically (written to a hidden temporary name, then renamed), so a reader
that lists *.eml never sees a partial message. Names sort in arrival order.
"""

import argparse
import asyncio
import datetime
import os
import secrets
import signal
import sys

from aiosmtpd.smtp import SMTP, AuthResult


class SinkHandler:
    def __init__(self, directory: str):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        raw = envelope.original_content or b""
        eol = b"\r\n" if b"\r\n" in raw[:4096] or not raw else b"\n"
        rcpt = ", ".join(envelope.rcpt_tos).encode("utf-8")
        now = datetime.datetime.now(datetime.timezone.utc)
        name = f"{now:%Y%m%dT%H%M%S.%f}Z-{secrets.token_hex(4)}.eml"
        tmp = os.path.join(self.directory, f".{name}.tmp")
        with open(tmp, "wb") as f:
            f.write(b"X-Sink-Rcpt-To: " + rcpt + eol + raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(self.directory, name))
        print(
            f"{now.isoformat()} from={envelope.mail_from} to={', '.join(envelope.rcpt_tos)}"
            f" bytes={len(raw)} file={name}",
            flush=True,
        )
        return "250 OK: message stored"


def accept_any_login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True)


async def serve(host: str, port: int, directory: str) -> None:
    handler = SinkHandler(directory)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(
            handler,
            hostname="maigie-smtp-sink",  # skips a slow reverse DNS lookup
            decode_data=False,
            enable_SMTPUTF8=True,
            authenticator=accept_any_login,
            auth_require_tls=False,
        )

    server = await loop.create_server(factory, host=host, port=port)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"smtp sink listening on {host}:{port}, writing to {directory}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", required=True, help="directory for the .eml files")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    try:
        asyncio.run(serve(args.host, args.port, os.path.abspath(args.dir)))
    except OSError as e:
        print(f"smtp sink: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
