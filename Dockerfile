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

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 maigie \
 && useradd --system --uid 10001 --gid maigie --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin maigie
COPY --from=builder /out/maigie /usr/local/bin/maigie
USER 10001:10001
ENV BIND=0.0.0.0 \
    PORT=8080 \
    LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/maigie"]
CMD ["serve"]
