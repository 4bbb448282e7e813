# syntax=docker/dockerfile:1
# Build stage: compile the release binary. Dependencies are built in their own layer first, with
# placeholder sources for every target of Cargo.toml, so that a change to src/ does not rebuild them.
FROM rust:1-bookworm AS build
WORKDIR /app
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src bench \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && echo 'fn main() {}' > bench/relevance.rs && echo 'fn main() {}' > bench/static_ceiling.rs \
    && cargo build --release --locked --bin ndp-registry \
    && rm -rf src bench
COPY src src
COPY bench bench
COPY migrations migrations
COPY seeds seeds
# Make sure cargo sees the real sources as newer than the placeholder build.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin ndp-registry

# Runtime stage: the binary alone (migrations and seeds are compiled in), run as a non-root user.
# Webhook deliveries to https targets use the bundled Mozilla roots; no CA package is needed.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin ndp
COPY --from=build /app/target/release/ndp-registry /usr/local/bin/ndp-registry
USER 10001:10001
ENV BIND_ADDR=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/ndp-registry"]
CMD ["serve"]
