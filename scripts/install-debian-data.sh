#!/bin/sh
# Install Fashion-MNIST from Debian/Ubuntu's package dataset-fashion-mnist, where apt-get is
# there and may be used (as root, or with password-less sudo). Otherwise say how, and leave
# the decision to the caller: `imgclf download` then tries the network.
set -u
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: Fashion-MNIST will be downloaded through Keras instead." >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  run=""
elif sudo -n true 2>/dev/null; then
  run="sudo -n"
else
  echo "To install Fashion-MNIST offline: sudo apt-get install dataset-fashion-mnist" >&2
  exit 0
fi
echo "Installing Fashion-MNIST from the package dataset-fashion-mnist ..."
$run apt-get update -qq && $run apt-get install -y -qq dataset-fashion-mnist >/dev/null \
  || echo "apt-get could not install dataset-fashion-mnist." >&2
exit 0
