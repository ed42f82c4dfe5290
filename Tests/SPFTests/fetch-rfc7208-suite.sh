#!/bin/sh
# Downloads pyspf's source distribution from PyPI and extracts the openspf RFC 7208 test suite
# (test/rfc7208-tests.yml) into DEST; prints the file's path. Used by scripts/test:
#   export SPF_RFC7208_SUITE="$(Tests/SPFTests/fetch-rfc7208-suite.sh .build/spf-suite)"
set -eu
dest="${1:?usage: fetch-rfc7208-suite.sh DEST_DIR}"
mkdir -p "$dest"
if [ ! -f "$dest/rfc7208-tests.yml" ]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$work" pyspf >&2
    archive="$(ls "$work"/pyspf-*.tar.gz | head -n 1)"
    member="$(tar -tzf "$archive" | grep '/test/rfc7208-tests.yml$' | head -n 1)"
    tar -xzf "$archive" -C "$work" "$member"
    cp "$work/$member" "$dest/rfc7208-tests.yml"
fi
echo "$(cd "$dest" && pwd)/rfc7208-tests.yml"
