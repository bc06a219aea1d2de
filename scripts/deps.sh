#!/usr/bin/env bash
# Installs what CardPOS needs to build (and, with --test, to run its tests) on Debian/Ubuntu,
# only when something is missing. Other systems: see README.md.
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    echo "deps: Go is at /usr/local/go/bin but not on PATH; add it: export PATH=/usr/local/go/bin:\$PATH" >&2
  else
    echo "deps: Go 1.26 or newer is needed (https://go.dev/dl/); Debian's golang package is too old." >&2
  fi
  exit 1
fi

pkgs=()
need() { # need PACKAGE CHECK...
  local p=$1; shift
  if ! "$@" >/dev/null 2>&1; then pkgs+=("$p"); fi
}
have_header() { printf '#include <%s>\n' "$1" | cc -E -x c - >/dev/null 2>&1; }

need gcc command -v gcc
need pkg-config command -v pkg-config
need libgl1-mesa-dev have_header GL/gl.h
need xorg-dev have_header X11/extensions/Xrandr.h
need xorg-dev have_header X11/Xcursor/Xcursor.h
need xorg-dev have_header X11/extensions/XInput2.h
need libxxf86vm-dev have_header X11/extensions/xf86vmode.h
if [ "$want_test" = 1 ]; then
  need xvfb command -v Xvfb
  need xdotool command -v xdotool
  need imagemagick command -v import
  need socat command -v socat
  need poppler-utils command -v pdftoppm
  need zbar-tools command -v zbarimg
  need curl command -v curl
  need x11-utils command -v xdpyinfo
fi

if [ ${#pkgs[@]} -eq 0 ]; then
  exit 0
fi
# de-duplicate
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: missing ${pkgs[*]} and this is not a Debian/Ubuntu system; install their equivalents (see README.md)." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "deps: installing ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
