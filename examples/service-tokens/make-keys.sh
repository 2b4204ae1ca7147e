#!/usr/bin/env bash
# Makes a private key per calling service and the JWKS (public key) the gateway verifies it
# with: checkout signs with Ed25519 (EdDSA), billing with EC P-256 (ES256).
# Usage: examples/service-tokens/make-keys.sh [RAMPART_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rampart=${1:-rampart}
mkdir -p "$here/keys"
cd "$here/keys"

openssl genpkey -algorithm ed25519 -out checkout.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out billing.pem
chmod 600 checkout.pem billing.pem

for service in checkout billing; do
  "$rampart" token jwks --key "$service.pem" --kid "$service" >"$service.jwks.json"
done
echo "keys and JWKS files in $here/keys"
