#!/usr/bin/env bash
# Installs the system libraries Qt's window system plugin needs, fallback fonts so Chinese, Japanese,
# Korean and emoji tokens draw as characters rather than boxes, and Xvfb for the test that opens a
# real window on a virtual screen. Only on Debian/Ubuntu as root and only what is missing; otherwise
# it prints the packages to install and carries on (the offscreen tests need none of them).
set -u
packages=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
          libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
          fonts-noto-cjk fonts-noto-color-emoji
          xvfb x11-apps netpbm)
command -v dpkg >/dev/null 2>&1 || exit 0
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: for a real window (and CJK and emoji tokens drawn as characters) install: ${missing[*]}" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}" >&2
apt-get update -qq >/dev/null && \
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || echo "warning: could not install ${missing[*]}; the real-window test will be skipped" >&2
exit 0
