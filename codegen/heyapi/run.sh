#!/usr/bin/env bash
# The second TypeScript generator: generate a fetch client with zod validators from
# spec/openapi.yaml with the pinned @hey-api/openapi-ts, compile it together with check.ts
# using the pinned tsc (--strict), and, when ATH_GATEWAY_URL is set
# (tests/spec/test_heyapi_client.py sets it with a live token from the local stack), run the
# check with node. ATH_HEYAPI_SPEC overrides the spec (the tests feed it regressed copies to
# prove the compile-time checks bite).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
codegen="$(cd "${here}/.." && pwd)"
root="$(cd "${codegen}/.." && pwd)"
bin="${codegen}/node_modules/.bin"

if [[ ! -x "${bin}/openapi-ts" || ! -x "${bin}/tsc" || ! -d "${codegen}/node_modules/zod" ]]; then
  echo "heyapi-check: codegen/node_modules missing or incomplete; running npm ci"
  (cd "${codegen}" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ath-heyapi.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

echo "heyapi-check: @hey-api/openapi-ts $("${bin}/openapi-ts" --version | tail -n 1), generating from spec/openapi.yaml"
# Resolve `zod` (imported by the generated schemas) from codegen/node_modules.
ln -s "${codegen}/node_modules" "${work}/node_modules"
ATH_HEYAPI_SPEC="${ATH_HEYAPI_SPEC:-${root}/spec/openapi.yaml}" ATH_HEYAPI_OUT="${work}/ath" \
  "${bin}/openapi-ts" --silent -f "${here}/openapi-ts.config.mjs"
cp "${here}/check.ts" "${work}/check.ts"

cat > "${work}/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "target": "ES2022",
    "lib": ["ES2022", "DOM", "DOM.Iterable"],
    "module": "CommonJS",
    "moduleResolution": "node10",
    "ignoreDeprecations": "5.0",
    "types": [],
    "skipLibCheck": true,
    "noUncheckedIndexedAccess": true,
    "outDir": "out"
  },
  "files": ["check.ts"]
}
JSON
echo "heyapi-check: tsc $("${bin}/tsc" --version) --strict"
"${bin}/tsc" -p "${work}/tsconfig.json"
echo "heyapi-check: compiled $(find "${work}/ath" -name '*.ts' | wc -l) generated files and check.ts"

if [[ -n "${ATH_GATEWAY_URL:-}" ]]; then
  node "${work}/out/check.js"
fi
