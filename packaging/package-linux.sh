#!/usr/bin/env bash
# Builds the Linux package (a .tar.xz with the binary, icon and desktop file) with `fyne package`.
# The fyne CLI (fyne.io/tools v1.7.4) is installed into ./bin on first use; the app itself stays on
# Fyne v2.7.1. Output: dist/CardPOS.tar.xz.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH" CGO_ENABLED=1
bash scripts/deps.sh
mkdir -p bin dist
if [ ! -x bin/fyne ]; then
  GOBIN="$(pwd)/bin" go install fyne.io/tools/cmd/fyne@v1.7.4
fi
version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
rm -f CardPOS.tar.xz
# fyne package bumps Build in FyneApp.toml; keep the committed file as it is.
cp FyneApp.toml "$(mktemp -d)/FyneApp.toml.keep" && keep=$_
trap 'cp "$keep" FyneApp.toml' EXIT
bin/fyne package --os linux --release --tags migrated_fynedo
mv CardPOS.tar.xz "dist/CardPOS-$version-linux-amd64.tar.xz"
echo "packaging: dist/CardPOS-$version-linux-amd64.tar.xz"
