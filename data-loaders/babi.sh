#!/usr/bin/env bash
# Downloads the bAbI tasks v1.2 (Weston et al. 2015) into DATA_DIR/babi/tasks_1-20_v1-2/ and
# verifies every file against the checksums engram's loader also checks.
#
# Usage: data-loaders/babi.sh [--check] [DATA_DIR]
#   DATA_DIR  defaults to $ENGRAM_DATA if set, else ./data
#   --check   verify the files already present; download nothing
#   BABI_MIRROR (env) a URL of tasks_1-20_v1-2.tar.gz to try before the canonical ones
# Exit status: 0 all files verified, 1 a file is missing or bad (named), 2 usage error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sums="$here/../src/main/resources/engram/data/babi-sha256.txt"
urls=(
  "https://dl.fbaipublicfiles.com/babi/tasks_1-20_v1-2.tar.gz"
  "https://s3.amazonaws.com/text-datasets/babi_tasks_1-20_v1-2.tar.gz"
  "http://www.thespermwhale.com/jaseweston/babi/tasks_1-20_v1-2.tar.gz"
)
[[ -n ${BABI_MIRROR:-} ]] && urls=("$BABI_MIRROR" "${urls[@]}")

check=0
if [[ ${1:-} == "--check" ]]; then check=1; shift; fi
[[ $# -le 1 ]] || { echo "usage: data-loaders/babi.sh [--check] [DATA_DIR]" >&2; exit 2; }
data=${1:-${ENGRAM_DATA:-./data}}
target="$data/babi/tasks_1-20_v1-2"

verify() {
  local bad=0
  (cd "$target" && sha256sum -c --quiet "$sums") || bad=1
  # en-10k qa3 train: its published MD5 (the file is missing from some copies).
  local qa3="$target/en-10k/qa3_three-supporting-facts_train.txt"
  if [[ -f $qa3 ]]; then
    [[ $(md5sum "$qa3" | cut -d' ' -f1) == 639cbebe6f1ce51b3b5d2f32148ed352 ]] || { echo "babi.sh: FAILED $qa3 (MD5)" >&2; bad=1; }
  else
    echo "babi.sh: note: $qa3 is missing; engram's babi runner skips en-10k task 3 then" >&2
  fi
  return $bad
}

if [[ $check == 0 ]] && ! { [[ -d $target ]] && verify 2>/dev/null; }; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  ok=0
  for url in "${urls[@]}"; do
    echo "fetching $url" >&2
    if curl -fsSL --retry 2 --connect-timeout 20 -o "$tmp/babi.tar.gz" "$url"; then ok=1; break; fi
  done
  [[ $ok == 1 ]] || { echo "babi.sh: could not download the bAbI tarball from any mirror" >&2; exit 1; }
  mkdir -p "$tmp/x" "$data/babi"
  tar -xzf "$tmp/babi.tar.gz" -C "$tmp/x"
  src=$(find "$tmp/x" -maxdepth 2 -type d -name 'tasks_1-20_v1-2' | head -n 1)
  [[ -n $src ]] || { echo "babi.sh: the tarball has no tasks_1-20_v1-2 folder" >&2; exit 1; }
  rm -rf "$target.tmp" && mv "$src" "$target.tmp" && rm -rf "$target" && mv "$target.tmp" "$target"
fi
verify && echo "bAbI v1.2 verified in $target"
