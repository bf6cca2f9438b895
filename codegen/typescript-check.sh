#!/usr/bin/env bash
# Prove spec/openapi.yaml serves another language: generate TypeScript types with the pinned
# openapi-typescript and type-check them with the pinned tsc. Exits non-zero on any error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/.." && pwd)"
spec="${root}/spec/openapi.yaml"
bin="${here}/node_modules/.bin"

if [[ ! -x "${bin}/openapi-typescript" || ! -x "${bin}/tsc" ]]; then
  echo "typescript-check: codegen/node_modules missing or incomplete; running npm ci"
  (cd "${here}" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ath-ts-check.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

echo "typescript-check: openapi-typescript $("${bin}/openapi-typescript" --version 2>/dev/null | tail -n 1)"
echo "typescript-check: generating types from spec/openapi.yaml"
"${bin}/openapi-typescript" "${spec}" --output "${work}/ath.d.ts"

# A consumer that exercises the generated types, so the check fails if an expected operation or
# schema is missing or has the wrong shape (not only if the .d.ts itself is malformed).
cat > "${work}/usage.ts" <<'TS'
import type { components, operations, paths } from "./ath";

type Schemas = components["schemas"];

const registration: Schemas["AgentRegistrationRequest"] = {
  agent_id: "https://travel-agent.example.com/.well-known/agent.json",
  agent_attestation: "header.payload.signature",
  developer: { name: "Example Corp", id: "dev-example-12345" },
  requested_providers: [{ provider_id: "example-mail", scopes: ["mail:read"] }],
  redirect_uris: ["https://travel-agent.example.com/callback"],
};

const token: Schemas["TokenResponse"] = {
  access_token: "ath_tk_xxxxxxxx",
  token_type: "Bearer",
  expires_in: 3600,
  effective_scopes: ["mail:read"],
  provider_id: "example-mail",
  agent_id: "https://travel-agent.example.com/.well-known/agent.json",
  scope_intersection: { agent_approved: ["mail:read"], user_consented: ["mail:read"], effective: ["mail:read"] },
};

const status: Schemas["AgentStatus"] = "pending";
const code: Schemas["ATHErrorCode"] = "PROVIDER_MISMATCH";
const error: Schemas["ATHError"] = { code, message: "token was issued for another provider" };

type RegisterBody = operations["register_agent"]["requestBody"];
type TokenPath = paths["/ath/token"]["post"];
type ProxyGet = operations["proxy_get"]["parameters"]["path"];
const proxyPath: ProxyGet = { provider_id: "example-mail", path: "v1/messages" };

export const used: [typeof registration, typeof token, typeof status, typeof error, RegisterBody | undefined, TokenPath | undefined, typeof proxyPath] =
  [registration, token, status, error, undefined, undefined, proxyPath];
TS

cat > "${work}/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "ES2022",
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "skipLibCheck": false,
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true
  },
  "files": ["ath.d.ts", "usage.ts"]
}
JSON

echo "typescript-check: tsc $("${bin}/tsc" --version) --noEmit (strict)"
"${bin}/tsc" --noEmit -p "${work}/tsconfig.json"
echo "typescript-check: OK, $(grep -c '' "${work}/ath.d.ts") lines of types compile cleanly"
