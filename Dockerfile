# Utdrag: a static binary on distroless. Fonts, templates, hyphenation
# patterns and the JSON Schema are embedded; the image holds nothing else.
#
#   docker build -t utdrag .
#   docker run -p 8080:8080 -v $PWD/deploy/keys.example.yaml:/etc/utdrag/keys.yaml:ro utdrag
#
# The image listens on 0.0.0.0:8080, so it needs an API key file
# (UTDRAG_AUTH_FILE, default /etc/utdrag/keys.yaml): without one it refuses
# to start.
#
# The default image cannot sign with a key in an HSM: a PKCS #11 module is
# a C library the binary loads at run time, which a static binary on
# distroless/static cannot do. The target "hsm" builds with cgo and
# -tags pkcs11 on distroless/cc (glibc, libstdc++); the vendor's module
# (and whatever it loads) is mounted into it, e.g.
#
#   docker build --target hsm -t utdrag:hsm .
#   docker run -v /opt/vendor/lib:/opt/pkcs11:ro \
#     -e UTDRAG_SIGN_PKCS11_MODULE=/opt/pkcs11/libvendor-pkcs11.so … utdrag:hsm

FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# timetzdata embeds the zone database: certification dates are Swedish time.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags="-s -w" -o /out/utdrag ./cmd/utdrag \
 && mkdir -p /out/data

FROM build AS build-hsm
RUN CGO_ENABLED=1 go build -trimpath -tags timetzdata,pkcs11 -ldflags="-s -w" -o /out/utdrag-hsm ./cmd/utdrag

FROM gcr.io/distroless/cc-debian12:nonroot AS hsm
COPY --from=build-hsm /out/utdrag-hsm /usr/local/bin/utdrag
COPY --from=build --chown=65532:65532 /out/data /data
ENV UTDRAG_ADDR=0.0.0.0:8080 \
    UTDRAG_STORAGE=fs:/data \
    UTDRAG_OUTBOX=/data/outbox \
    UTDRAG_AUTH_FILE=/etc/utdrag/keys.yaml
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/utdrag"]
CMD ["serve"]

# The default image, last so that a plain docker build makes it.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/utdrag /usr/local/bin/utdrag
# A writable folder for the file store (UTDRAG_STORAGE=fs:/data) and the
# mail outbox; with MinIO and SMTP configured nothing is written locally.
COPY --from=build --chown=65532:65532 /out/data /data
ENV UTDRAG_ADDR=0.0.0.0:8080 \
    UTDRAG_STORAGE=fs:/data \
    UTDRAG_OUTBOX=/data/outbox \
    UTDRAG_AUTH_FILE=/etc/utdrag/keys.yaml
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/utdrag"]
CMD ["serve"]
