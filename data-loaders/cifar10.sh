#!/usr/bin/env bash
# Downloads the canonical CIFAR-10 binary batches (Krizhevsky 2009) into
# DATA_DIR/cifar-10/cifar-10-batches-bin/ and verifies them.
#
# Usage: data-loaders/cifar10.sh [--check] [DATA_DIR]
#   DATA_DIR   defaults to $ENGRAM_DATA if set, else ./data
#   --check    verify the files already present; download nothing
#   CIFAR10_MIRROR (env) a base URL ending in / to try before the canonical one
#
# The archive is checked against the MD5 the CIFAR-10 page publishes before it is unpacked; the
# batches by size (10,000 records of 3,073 bytes each). engram.data.Cifar10 checks more when it
# reads them: the SHA-256 of the records the shared subset holds, and every batch's label counts.
# Exit status: 0 verified, 1 a file is missing or bad (named), 2 usage error.
set -euo pipefail

mirrors=("https://www.cs.toronto.edu/~kriz/")
[[ -n ${CIFAR10_MIRROR:-} ]] && mirrors=("$CIFAR10_MIRROR" "${mirrors[@]}")
archive=cifar-10-binary.tar.gz
archive_md5=c32a1d4ab5d03f1284b67883e8d87530

check=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --check) check=1; shift ;;
    *) echo "usage: data-loaders/cifar10.sh [--check] [DATA_DIR]" >&2; exit 2 ;;
  esac
done
[[ $# -le 1 ]] || { echo "usage: data-loaders/cifar10.sh [--check] [DATA_DIR]" >&2; exit 2; }
data=${1:-${ENGRAM_DATA:-./data}}
target="$data/cifar-10/cifar-10-batches-bin"

verify() {
  local ok=0 f size
  for f in data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin; do
    if [[ ! -f $target/$f ]]; then
      echo "cifar10.sh: $target/$f is missing" >&2; ok=1; continue
    fi
    size=$(wc -c < "$target/$f")
    if [[ $size -ne 30730000 ]]; then
      echo "cifar10.sh: $target/$f is $size bytes, not 30730000" >&2; ok=1
    fi
  done
  return $ok
}

if [[ $check == 0 ]] && ! verify 2>/dev/null; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  ok=0
  for base in "${mirrors[@]}"; do
    echo "fetching $base$archive (170 MB)" >&2
    if curl -fSL --retry 2 --connect-timeout 20 -o "$tmp/$archive" "$base$archive" &&
       [[ $(md5sum "$tmp/$archive" | cut -d' ' -f1) == "$archive_md5" ]]; then
      ok=1
      break
    fi
    echo "cifar10.sh: $base$archive failed or has the wrong MD5; trying the next mirror" >&2
  done
  [[ $ok == 1 ]] || { echo "cifar10.sh: could not download a verified $archive" >&2; exit 1; }
  (cd "$tmp" && tar xzf "$archive")
  [[ -d $tmp/cifar-10-batches-bin ]] || { echo "cifar10.sh: $archive has no cifar-10-batches-bin/" >&2; exit 1; }
  mkdir -p "$data/cifar-10"
  rm -rf "$target.tmp" && mv "$tmp/cifar-10-batches-bin" "$target.tmp" && rm -rf "$target" && mv "$target.tmp" "$target"
fi
verify && echo "CIFAR-10 binary batches verified in $target"
