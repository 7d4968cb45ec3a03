#!/usr/bin/env bash
# The admin page's end-to-end test drives Debian's Chromium through its
# ChromeDriver. Install both when missing (CI machines start without them).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium and ChromeDriver are missing: run 'sudo apt-get install -y chromium chromium-driver' once" >&2
  exit 1
fi
echo "installing Debian's chromium and chromium-driver for the admin page test"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
apt-get install -y -qq chromium chromium-driver >/dev/null
