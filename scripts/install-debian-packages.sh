#!/bin/sh
# Install Debian/Ubuntu packages (arguments) where apt-get is there and may be used: as root,
# or with password-less sudo. Otherwise say how, and leave the decision to the caller.
# Used by make for dataset-fashion-mnist (the data) and chromium (the site's browser test).
set -u
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install $* by other means." >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  run=""
elif sudo -n true 2>/dev/null; then
  run="sudo -n"
else
  echo "To install them: sudo apt-get install $*" >&2
  exit 0
fi
echo "Installing $* from the distribution's packages ..."
$run apt-get update -qq && DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq "$@" >/dev/null \
  || echo "apt-get could not install $*." >&2
exit 0
