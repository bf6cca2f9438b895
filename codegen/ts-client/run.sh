#!/usr/bin/env bash
# Generate the TypeScript ATH client types from spec/dist/openapi.json (openapi-typescript),
# compile the client and its end-to-end script with tsc --strict, then run the script against
# the local ATH stack. ATH_PYTHON: the interpreter with ath-sdk installed (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
codegen="$(cd "${here}/.." && pwd)"
root="$(cd "${codegen}/.." && pwd)"
bin="${codegen}/node_modules/.bin"

# Install the pinned Node packages from the lock file (npm ci) when they are missing or the lock
# file changed since the last install; otherwise reuse node_modules as it is.
installed="${codegen}/node_modules/.package-lock.json"
if [[ ! -f "${installed}" || "${codegen}/package-lock.json" -nt "${installed}" \
  || ! -d "${codegen}/node_modules/openapi-fetch" || ! -d "${codegen}/node_modules/jose" ]]; then
  echo "ts-client: installing the pinned Node packages (npm ci)"
  (cd "${codegen}" && npm ci --no-audit --no-fund)
fi

mkdir -p "${here}/generated"
"${bin}/openapi-typescript" "${root}/spec/dist/openapi.json" --output "${here}/generated/ath.mts" >/dev/null
echo "ts-client: openapi-typescript wrote $(grep -c '' "${here}/generated/ath.mts") lines of types from spec/dist/openapi.json"
# The README's TypeScript example must compile against the same types: extract it, declare the
# values it takes as given, and let tsc check it with the client.
{
  echo '// Extracted from README.md by run.sh; the values the example takes as given:'
  echo 'declare const kid: string, agentId: string, client_id: string, state: string;'
  echo 'declare const privateKey: Parameters<import("jose").SignJWT["sign"]>[0];'
  awk '/^## Using the spec from another language/ {inside = 1} inside && /^```ts$/ {code = 1; next}
       code && /^```$/ {exit} code {print}' "${root}/README.md" | sed 's|from "./ath";|from "./ath.mjs";|'
} > "${here}/generated/readme-example.mts"
if ! grep -q 'createClient<paths>' "${here}/generated/readme-example.mts"; then
  echo "ts-client: README.md has no TypeScript example under 'Using the spec from another language'" >&2
  exit 1
fi
rm -rf "${here}/build"
"${bin}/tsc" -p "${here}/tsconfig.json"
echo "ts-client: tsc $("${bin}/tsc" --version | cut -d' ' -f2) --strict compiled the client and the e2e script"
ATH_SPEC_JSON="${root}/spec/dist/openapi.json" node "${here}/build/src/e2e.mjs"
