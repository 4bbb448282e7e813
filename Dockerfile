# syntax=docker/dockerfile:1
# Build stage: compile the release binary. Dependencies are built in their own layer first so that
# a change to src/ does not rebuild them.
FROM rust:1-bookworm AS build
WORKDIR /app
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src src
COPY migrations migrations
COPY seeds seeds
# Make sure cargo sees the real sources as newer than the placeholder build.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked

# Runtime stage: the binary alone (migrations and seeds are compiled in), run as a non-root user.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin ndp
COPY --from=build /app/target/release/ndp-registry /usr/local/bin/ndp-registry
USER 10001:10001
ENV BIND_ADDR=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/ndp-registry"]
CMD ["serve"]
