# syntax=docker/dockerfile:1
#
# Production image for scimbridge: a static, CGO-free binary on distroless.
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t scimbridge .
#   docker run -v "$PWD/scimbridge.yaml:/etc/scimbridge/scimbridge.yaml:ro" -p 8080:8080 -p 9090:9090 scimbridge
#
# The base images are referenced by tag. Pin each by digest for
# reproducible builds (FROM image:tag@sha256:<digest>, the digest from
# `docker buildx imagetools inspect image:tag`) where a registry is
# reachable; none is from the machines this project is built on, so no
# digest is written here.

FROM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first, so that this layer is cached across source changes.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

ARG VERSION=dev
# Must stay identical to the recipe of `make build` (checked by .ci/run).
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/scimbridge/scimbridge/cmd/scimbridge/cli.Version=${VERSION}" -o bin/scimbridge ./cmd/scimbridge

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/scimbridge /scimbridge
USER nonroot:nonroot

# Telemetry (/metrics, /healthz/live, /healthz/ready) must listen where a
# probe from outside the container can reach it: the config file's default,
# 127.0.0.1:9090, answers only inside the container. In a container set
# telemetry.listen to 0.0.0.0:9090, or leave this variable, which overrides
# telemetry.listen of the file (a -telemetry-listen flag overrides both).
# Publish port 9090 only to the monitoring network, never to the internet.
ENV SCIMBRIDGE_TELEMETRY_LISTEN=:9090
EXPOSE 8080 9090

# The image has no shell and no curl: the binary probes itself. healthcheck
# GETs /healthz/ready on $SCIMBRIDGE_TELEMETRY_LISTEN (on loopback for ":9090")
# and exits 0 when ready, 1 when not (the database is unreachable, or the
# sidecar is shutting down). Its own timeout (2s) is below Docker's.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
	CMD ["/scimbridge", "healthcheck"]

ENTRYPOINT ["/scimbridge"]
CMD ["serve", "-config", "/etc/scimbridge/scimbridge.yaml"]
