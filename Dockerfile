# Multi-stage build of diffusion-server. The steps mirror Tools/setup and Tools/serve
# (the same Debian packages, the same `swift build -c release`), so what CI tests on
# a fresh machine is what this image runs. Docker cannot run on the development
# machines of this project; the file is kept in step with those scripts by review.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libopenblas-dev libssl-dev zlib1g-dev libpng-dev libturbojpeg0-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product diffusion-server \
 && install -D .build/release/diffusion-server /staging/diffusion-server

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libopenblas0-pthread libssl3 zlib1g libpng16-16 libturbojpeg0 libcurl4 libxml2 tzdata ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /srv diffusion
# The Swift runtime libraries the binary links dynamically.
COPY --from=build /usr/lib/swift/linux/*.so /usr/lib/swift/linux/
RUN echo /usr/lib/swift/linux > /etc/ld.so.conf.d/swift.conf && ldconfig
WORKDIR /srv
COPY --from=build /staging/diffusion-server /usr/local/bin/diffusion-server
COPY Config ./Config
COPY Models ./Models
USER diffusion
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/diffusion-server"]
CMD ["--config", "Config/default.yaml"]
