#!/usr/bin/env bash
# Downloads WikiText-2 (default) or WikiText-103 (Merity et al. 2016, the tokenized "v1" release)
# into DATA_DIR/wikitext-2/ or DATA_DIR/wikitext-103/ and verifies every file.
#
# Usage: data-loaders/wikitext.sh [--check] [--version 2|103] [DATA_DIR]
#   DATA_DIR   defaults to $ENGRAM_DATA if set, else ./data
#   --check    verify the files already present; download nothing
#   --version  2 (4.5 MB zip, the default) or 103 (181 MB zip)
#   WIKITEXT_MIRROR (env) a base URL ending in / to try before the canonical ones
#
# The zip is checked against the SHA-1 that GluonNLP publishes before it is unpacked; the unpacked
# files against the same checksums engram.data.WikiText checks (SHA-256 for WikiText-2, SHA-1 for
# WikiText-103). Exit status: 0 verified, 1 a file is missing or bad (named), 2 usage error.
set -euo pipefail

mirrors=(
  "https://s3.amazonaws.com/research.metamind.io/wikitext/"
  "https://wikitext.smerity.com/"
)
[[ -n ${WIKITEXT_MIRROR:-} ]] && mirrors=("$WIKITEXT_MIRROR" "${mirrors[@]}")

check=0
version=2
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --check) check=1; shift ;;
    --version) version=${2:-}; shift 2 ;;
    *) echo "usage: data-loaders/wikitext.sh [--check] [--version 2|103] [DATA_DIR]" >&2; exit 2 ;;
  esac
done
[[ $version == 2 || $version == 103 ]] || { echo "wikitext.sh: --version must be 2 or 103" >&2; exit 2; }
[[ $# -le 1 ]] || { echo "usage: data-loaders/wikitext.sh [--check] [--version 2|103] [DATA_DIR]" >&2; exit 2; }
data=${1:-${ENGRAM_DATA:-./data}}

folder="wikitext-$version"
zip="wikitext-$version-v1.zip"
if [[ $version == 2 ]]; then
  zip_sha1=3c914d17d80b1459be871a5039ac23e752a53cbe
  tool=sha256sum
  sums="\
9e9fa1ad55b1c2c95b08e37dd8e653f638fac2c6de904b79e813611eefbc985f  wiki.train.tokens
f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8  wiki.valid.tokens
d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0  wiki.test.tokens"
else
  zip_sha1=0aec09a7537b58d4bb65362fee27650eeaba625a
  tool=sha1sum
  sums="\
b7497e2dfe77e72cfef5e3dbc61b7b53712ac211  wiki.train.tokens
c326ac59dc587676d58c422eb8a03e119582f92b  wiki.valid.tokens
8a5befc548865cec54ed4273cf87dbbad60d1e47  wiki.test.tokens"
fi
target="$data/$folder"

verify() {
  [[ -d $target ]] || { echo "wikitext.sh: $target is missing" >&2; return 1; }
  (cd "$target" && echo "$sums" | $tool -c --quiet -)
}

if [[ $check == 0 ]] && ! verify 2>/dev/null; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  ok=0
  for base in "${mirrors[@]}"; do
    echo "fetching $base$zip" >&2
    if curl -fsSL --retry 2 --connect-timeout 20 -o "$tmp/$zip" "$base$zip" &&
       [[ $(sha1sum "$tmp/$zip" | cut -d' ' -f1) == "$zip_sha1" ]]; then
      ok=1
      break
    fi
    echo "wikitext.sh: $base$zip failed or has the wrong SHA-1; trying the next mirror" >&2
  done
  [[ $ok == 1 ]] || { echo "wikitext.sh: could not download a verified $zip" >&2; exit 1; }
  mkdir -p "$data"
  (cd "$tmp" && unzip -q "$zip")
  [[ -d $tmp/$folder ]] || { echo "wikitext.sh: $zip has no $folder/ folder" >&2; exit 1; }
  rm -rf "$target.tmp" && mv "$tmp/$folder" "$target.tmp" && rm -rf "$target" && mv "$target.tmp" "$target"
fi
verify && echo "WikiText-$version verified in $target"
