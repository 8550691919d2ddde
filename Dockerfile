# syntax=docker/dockerfile:1
#
# Production image for scimbridge: a static, CGO-free binary on distroless.
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t scimbridge .
#   docker run -v "$PWD/scimbridge.yaml:/etc/scimbridge/scimbridge.yaml:ro" -p 8080:8080 -p 9090:9090 scimbridge

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
EXPOSE 8080 9090
ENTRYPOINT ["/scimbridge"]
CMD ["serve", "-config", "/etc/scimbridge/scimbridge.yaml"]
