#!/usr/bin/env bash
# Downloads the MNIST handwritten digits into DATA_DIR/mnist/ and verifies their SHA-256.
#
# Usage: data-loaders/mnist.sh [--check] [DATA_DIR]
#   DATA_DIR  defaults to $ENGRAM_DATA if set, else ./data
#   --check   verify the files already present; download nothing
#   MNIST_MIRROR (env) a base URL ending in / to try before the canonical mirrors
#
# Files already present with the right hash are skipped, so re-running is cheap and repairs a
# corrupt or partial download. Each file is fetched to a temporary name and only moved into place
# once its hash matches. Exit status: 0 all four files verified, 1 a file is missing or bad (its
# name is printed), 2 usage error.
set -euo pipefail

MIRRORS=(
  "https://ossci-datasets.s3.amazonaws.com/mnist/"
  "https://storage.googleapis.com/cvdf-datasets/mnist/"
)
if [[ -n ${MNIST_MIRROR:-} ]]; then
  MIRRORS=("$MNIST_MIRROR" "${MIRRORS[@]}")
fi
readonly MIRRORS

# sha256sum format: "<hash>  <file>". The same hashes are hard-coded in engram.data.Mnist.
readonly SUMS="\
440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609  train-images-idx3-ubyte.gz
3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c  train-labels-idx1-ubyte.gz
8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6  t10k-images-idx3-ubyte.gz
f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6  t10k-labels-idx1-ubyte.gz"

usage() {
  sed -n '4,7s/^# \{0,1\}//p' "$0" >&2
}

die() {
  echo "mnist.sh: $*" >&2
  exit 1
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -- "$1" | cut -d' ' -f1
  else
    shasum -a 256 -- "$1" | cut -d' ' -f1 # macOS
  fi
}

# fetch URL OUT: downloads URL to OUT; non-zero on any HTTP or network error.
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 --connect-timeout 20 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 --timeout=20 -O "$2" "$1"
  else
    die "need curl or wget to download MNIST"
  fi
}

# download SHA NAME: fetches NAME from the first mirror that serves it with the right hash.
download() {
  local sha=$1 name=$2 mirror got
  for mirror in "${MIRRORS[@]}"; do
    tmp="$dest/.$name.part.$$"
    if fetch "$mirror$name" "$tmp"; then
      got=$(sha256_of "$tmp")
      if [[ $got == "$sha" ]]; then
        mv -f -- "$tmp" "$dest/$name"
        tmp=""
        echo "fetched $name from $mirror"
        return 0
      fi
      echo "mnist.sh: $mirror$name has SHA-256 $got, expected $sha; trying the next mirror" >&2
    else
      echo "mnist.sh: could not download $mirror$name" >&2
    fi
    rm -f -- "$tmp"
    tmp=""
  done
  return 1
}

# A download interrupted by an error or Ctrl-C leaves no partial file under the real name.
tmp=""
cleanup() {
  if [[ -n $tmp ]]; then
    rm -f -- "$tmp"
  fi
}
trap cleanup EXIT

check_only=false
data_dir=""
while (($# > 0)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --check) check_only=true ;;
    -*) echo "mnist.sh: unknown option $1" >&2; usage; exit 2 ;;
    *)
      [[ -z $data_dir ]] || { echo "mnist.sh: more than one DATA_DIR given" >&2; usage; exit 2; }
      data_dir=$1
      ;;
  esac
  shift
done
data_dir=${data_dir:-${ENGRAM_DATA:-./data}}
dest="$data_dir/mnist"

# Checked up front: inside $(...) a failing `die` would only end the subshell.
command -v sha256sum >/dev/null 2>&1 || command -v shasum >/dev/null 2>&1 ||
  die "need sha256sum or shasum to verify the files"

if ! $check_only; then
  mkdir -p -- "$dest"
  while read -r sha name; do
    if [[ -f $dest/$name ]]; then
      if [[ $(sha256_of "$dest/$name") == "$sha" ]]; then
        echo "present $name"
        continue
      fi
      echo "mnist.sh: $dest/$name has the wrong SHA-256; downloading it again" >&2
    fi
    # A failure here is reported by the verification below, which names the file.
    download "$sha" "$name" || true
  done <<<"$SUMS"
fi

# Final verification of every file, reported like `sha256sum -c`.
bad=()
while read -r sha name; do
  file="$dest/$name"
  if [[ ! -f $file ]]; then
    echo "$file: FAILED open or read"
    bad+=("$file")
  elif [[ $(sha256_of "$file") != "$sha" ]]; then
    echo "$file: FAILED"
    bad+=("$file")
  else
    echo "$file: OK"
  fi
done <<<"$SUMS"

if ((${#bad[@]} > 0)); then
  for file in "${bad[@]}"; do
    echo "mnist.sh: $file is missing or does not match its SHA-256; re-run" \
      "data-loaders/mnist.sh $data_dir with network access (it replaces bad files)" >&2
  done
  exit 1
fi
echo "MNIST verified in $dest"
