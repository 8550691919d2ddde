# syntax=docker/dockerfile:1
#
# Production image for scimbridge: a static, CGO-free binary on distroless.
#   make image        (docker buildx build with the build args below; PLATFORMS=linux/amd64,linux/arm64)
# or by hand:
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" \
#     --build-arg COMMIT_DATE="$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ)" \
#     -t scimbridge .
#   docker run -v "$PWD/scimbridge.yaml:/etc/scimbridge/scimbridge.yaml:ro" -p 8080:8080 -p 9090:9090 scimbridge
#
# The base images are referenced by tag. Renovate (renovate.json) pins
# each by digest (FROM image:tag@sha256:<digest>) and keeps the digests
# current, in pull requests; by hand, the digest comes from
# `docker buildx imagetools inspect image:tag`. No registry is reachable
# from the machines this project is built on, so no digest is written here.
#
# The builder runs on the build machine's platform and cross-compiles for
# the image's (buildx sets BUILDPLATFORM, TARGETOS and TARGETARCH; a
# build without them compiles for the Go toolchain's own platform).
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first, so that this layer is cached across source changes.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

# The release, commit and commit time `scimbridge version` prints: the
# build context has no .git, so only these stamp them.
ARG VERSION=dev
ARG COMMIT
ARG COMMIT_DATE
ARG TARGETOS
ARG TARGETARCH
# Must stay identical to the recipe of `make build` (checked by .ci/run).
RUN GOOS=${TARGETOS} GOARCH=${TARGETARCH} CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/scimbridge/scimbridge/cmd/scimbridge/cli.Version=${VERSION} -X github.com/scimbridge/scimbridge/cmd/scimbridge/cli.Commit=${COMMIT} -X github.com/scimbridge/scimbridge/cmd/scimbridge/cli.Date=${COMMIT_DATE}" -o bin/scimbridge ./cmd/scimbridge

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
