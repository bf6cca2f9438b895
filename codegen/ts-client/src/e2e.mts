// End-to-end run of the generated TypeScript client against the local ATH stack
// (`python -m ath.testing --json`): discovery in both modes, registration, Basic-auth status,
// authorization with PKCE S256, consent over HTTP, token exchange, a proxied GET, revocation,
// the same handshake in native mode with a call at its api_base,
// and typed ATHError bodies on the error paths. Prints `ts client e2e: N passed, M failed` and
// exits non-zero when any check fails. Environment: ATH_PYTHON (interpreter with ath-sdk
// installed, default python3) and ATH_SPEC_JSON (the bundled spec, for the error-code enum).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { AgentKey, athClient, basicAuth, followConsent, type Schemas } from "./ath.mjs";

type StackUrls = {
  gateway_url: string;
  native_url: string;
  oauth_url: string;
  upstream_url: string;
  agent_id: string;
};

const PROVIDER = "github";
const SCOPE = "read:user";
const NATIVE_SCOPE = "products:read";
// Where the consent flow hands the result back to the agent. Never fetched: the walk stops at
// the redirect aimed here, so nothing needs to listen on it.
const AGENT_REDIRECT = "http://127.0.0.1:9/ts-agent/callback";

type Check = { name: string; ok: boolean; detail: string };
const checks: Check[] = [];

async function check(name: string, run: () => Promise<string>): Promise<boolean> {
  try {
    const detail = await run();
    checks.push({ name, ok: true, detail });
    console.log(`  ok    ${name}: ${detail}`);
    return true;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    checks.push({ name, ok: false, detail });
    console.log(`  FAIL  ${name}: ${detail}`);
    return false;
  }
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`skipped: ${what} is missing after an earlier failure`);
  }
  return value;
}

/** The error body is an ATHError exactly as the spec defines it, with a code from the enum. */
function expectAthError(
  body: unknown,
  codes: ReadonlySet<string>,
  want?: Schemas["ATHErrorCode"],
): Schemas["ATHError"] {
  expect(
    typeof body === "object" && body !== null,
    `error body is not a JSON object: ${JSON.stringify(body)}`,
  );
  const keys = Object.keys(body);
  expect(
    keys.every((k) => ["code", "message", "details"].includes(k)),
    `unexpected error keys ${keys.join(",")}`,
  );
  const error = body as Schemas["ATHError"];
  expect(codes.has(error.code), `error code ${String(error.code)} is not in the spec's ATHErrorCode enum`);
  expect(typeof error.message === "string" && error.message.length > 0, "error message is empty");
  expect(want === undefined || error.code === want, `error code ${error.code}, expected ${String(want)}`);
  return error;
}

async function errorCodes(specPath: string): Promise<Set<string>> {
  const spec = JSON.parse(await readFile(specPath, "utf8")) as {
    components: { schemas: { ATHErrorCode: { enum: string[] } } };
  };
  return new Set(spec.components.schemas.ATHErrorCode.enum);
}

async function startStack(
  python: string,
  pemFile: string,
): Promise<{ child: ChildProcess; urls: StackUrls }> {
  const child = spawn(
    python,
    ["-m", "ath.testing", "--json", "--host-agent", pemFile, "--agent-name", "ts-client"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const stdout = child.stdout;
  if (stdout === null) {
    throw new Error("local stack: no stdout");
  }
  const lines = createInterface({ input: stdout });
  const first = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("local stack did not print its URLs within 60 s")),
      60_000,
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with status ${String(code)} before printing its URLs`));
    });
  });
  const urls = JSON.parse(await first) as StackUrls;
  return { child, urls };
}

async function stopStack(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function run(urls: StackUrls, key: AgentKey, codes: ReadonlySet<string>): Promise<void> {
  const gateway = athClient(urls.gateway_url);
  const native = athClient(urls.native_url);
  const agentId = urls.agent_id;
  let registration: Schemas["AgentRegistrationResponse"] | undefined;
  let grant: Schemas["AuthorizationResponse"] | undefined;
  let code: string | undefined;
  let token: Schemas["TokenResponse"] | undefined;
  let app: Schemas["ServiceDiscoveryDocument"] | undefined;
  let nativeToken: Schemas["TokenResponse"] | undefined;
  const state = `ts-${crypto.randomUUID()}`;

  await check("gateway discovery", async () => {
    const { data, error, response } = await gateway.GET("/.well-known/ath.json");
    expect(data !== undefined, `HTTP ${response.status}: ${JSON.stringify(error)}`);
    expect(data.ath_version === "0.1", `ath_version ${data.ath_version}`);
    const github = data.supported_providers.find((p) => p.provider_id === PROVIDER);
    expect(github !== undefined, `no ${PROVIDER} provider`);
    expect(github.available_scopes.includes(SCOPE), `${PROVIDER} lacks ${SCOPE}`);
    expect(
      data.agent_registration_endpoint === `${urls.gateway_url}/ath/agents/register`,
      "registration endpoint",
    );
    return `${data.supported_providers.length} providers`;
  });

  await check("native discovery", async () => {
    const { data, error, response } = await native.GET("/.well-known/ath-app.json");
    expect(data !== undefined, `HTTP ${response.status}: ${JSON.stringify(error)}`);
    expect(data.ath_version === "0.1", `ath_version ${data.ath_version}`);
    expect(data.api_base.startsWith(urls.native_url), `api_base ${data.api_base}`);
    expect(data.auth.scopes_supported.includes(NATIVE_SCOPE), `no ${NATIVE_SCOPE} scope`);
    app = data;
    return `app ${data.app_id}, ${data.auth.scopes_supported.length} scopes`;
  });

  await check("register", async () => {
    const { data, error, response } = await gateway.POST("/ath/agents/register", {
      body: {
        agent_id: agentId,
        agent_attestation: await key.attest(agentId, urls.gateway_url),
        developer: { name: "TypeScript e2e", id: "dev-ts-e2e" },
        requested_providers: [{ provider_id: PROVIDER, scopes: [SCOPE] }],
        purpose: "prove the spec serves TypeScript",
        redirect_uris: [AGENT_REDIRECT],
      },
    });
    expect(data !== undefined, `HTTP ${response.status}: ${JSON.stringify(error)}`);
    expect(response.status === 201, `HTTP ${response.status}`);
    expect(data.agent_status === "approved", `agent_status ${data.agent_status}`);
    expect(data.client_secret.length > 0, "no client_secret");
    const approval = data.approved_providers.find((p) => p.provider_id === PROVIDER);
    expect(approval !== undefined && approval.approved_scopes.includes(SCOPE), "scope not approved");
    registration = data;
    return `status ${data.agent_status}`;
  });

  await check("registration status (Basic auth)", async () => {
    const reg = need(registration, "registration");
    const { data, error, response } = await gateway.GET("/ath/agents/{client_id}", {
      params: { path: { client_id: reg.client_id } },
      headers: { Authorization: basicAuth(reg.client_id, reg.client_secret) },
    });
    expect(data !== undefined, `HTTP ${response.status}: ${JSON.stringify(error)}`);
    expect(data.client_id === reg.client_id, "another client's status");
    expect(data.agent_status === "approved", `agent_status ${data.agent_status}`);
    return `HTTP ${response.status}, ${data.approved_providers.length} provider(s)`;
  });

  await check("registration status refuses a wrong secret", async () => {
    const reg = need(registration, "registration");
    const { data, error, response } = await gateway.GET("/ath/agents/{client_id}", {
      params: { path: { client_id: reg.client_id } },
      headers: { Authorization: basicAuth(reg.client_id, "not-the-secret") },
    });
    expect(data === undefined, "answered without valid credentials");
    expect(response.status === 401, `HTTP ${response.status}`);
    return `HTTP 401 ${expectAthError(error, codes).code}`;
  });

  await check("authorize (PKCE S256)", async () => {
    const reg = need(registration, "registration");
    const { data, error, response } = await gateway.POST("/ath/authorize", {
      body: {
        client_id: reg.client_id,
        agent_attestation: await key.attest(agentId, urls.gateway_url),
        provider_id: PROVIDER,
        scopes: [SCOPE],
        state,
        user_redirect_uri: AGENT_REDIRECT,
      },
    });
    expect(data !== undefined, `HTTP ${response.status}: ${JSON.stringify(error)}`);
    const query = new URL(data.authorization_url).searchParams;
    expect(query.get("code_challenge_method") === "S256", "code_challenge_method is not S256");
    expect(/^[A-Za-z0-9_-]{43}$/.test(query.get("code_challenge") ?? ""), "no S256 code_challenge");
    expect(data.ath_session_id.length > 0, "no ath_session_id");
    grant = data;
    return "code_challenge_method=S256 in the authorization URL";
  });

  await check("consent followed over HTTP", async () => {
    const g = need(grant, "authorization");
    const landed = await followConsent(g.authorization_url, AGENT_REDIRECT);
    const query = landed.searchParams;
    expect(query.get("error") === null, `consent error ${String(query.get("error"))}`);
    expect(query.get("state") === state, "state not echoed");
    expect(query.get("session_id") === g.ath_session_id, "session_id differs");
    const got = query.get("code");
    expect(got !== null && got.length > 0, "no code");
    code = got;
    return "code handed to the agent redirect";
  });

  await check("token exchange", async () => {
    const reg = need(registration, "registration");
    const g = need(grant, "authorization");
    const { data, error, response } = await gateway.POST("/ath/token", {
      body: {
        grant_type: "authorization_code",
        client_id: reg.client_id,
        client_secret: reg.client_secret,
        agent_attestation: await key.attest(agentId, `${urls.gateway_url}/ath/token`),
        code: need(code, "consent code"),
        ath_session_id: g.ath_session_id,
      },
    });
    expect(data !== undefined, `HTTP ${response.status}: ${JSON.stringify(error)}`);
    expect(data.token_type === "Bearer", `token_type ${data.token_type}`);
    expect(data.effective_scopes.join(" ") === SCOPE, `effective_scopes ${data.effective_scopes.join(" ")}`);
    expect(data.scope_intersection.effective.join(" ") === SCOPE, "scope_intersection.effective");
    expect(data.agent_id === agentId && data.provider_id === PROVIDER, "token bound elsewhere");
    token = data;
    return `expires_in ${data.expires_in}, scopes ${data.effective_scopes.join(" ")}`;
  });

  const proxyGet = (accessToken: string, asAgent: string) =>
    gateway.GET("/ath/proxy/{provider_id}/{path}", {
      params: { path: { provider_id: PROVIDER, path: "user" }, header: { "X-ATH-Agent-ID": asAgent } },
      headers: { Authorization: `Bearer ${accessToken}` },
    });

  await check("proxied GET", async () => {
    const t = need(token, "token");
    const { data, error, response } = await proxyGet(t.access_token, agentId);
    expect(data !== undefined, `HTTP ${response.status}: ${JSON.stringify(error)}`);
    const login = (data as Record<string, unknown>)["login"];
    expect(typeof login === "string" && login.length > 0, `no login in ${JSON.stringify(data)}`);
    return `GET /ath/proxy/${PROVIDER}/user -> ${response.status}`;
  });

  await check("proxied GET as another agent (typed error)", async () => {
    const t = need(token, "token");
    const { error, response } = await proxyGet(t.access_token, `${urls.gateway_url}/not-this-agent.json`);
    expect(response.status === 403, `HTTP ${response.status}`);
    return `HTTP 403 ${expectAthError(error, codes, "AGENT_IDENTITY_MISMATCH").code}`;
  });

  await check("revoke", async () => {
    const reg = need(registration, "registration");
    const t = need(token, "token");
    const { error, response } = await gateway.POST("/ath/revoke", {
      body: { client_id: reg.client_id, client_secret: reg.client_secret, token: t.access_token },
    });
    expect(response.status === 200, `HTTP ${response.status}: ${JSON.stringify(error)}`);
    return "HTTP 200";
  });

  await check("revoked token refused (typed error)", async () => {
    const t = need(token, "token");
    const { error, response } = await proxyGet(t.access_token, agentId);
    expect(response.status === 401, `HTTP ${response.status}`);
    return `HTTP 401 ${expectAthError(error, codes, "TOKEN_REVOKED").code}`;
  });

  await check("native mode: register, authorize, consent, token", async () => {
    const service = need(app, "native discovery");
    const registered = await native.POST("/ath/agents/register", {
      body: {
        agent_id: agentId,
        agent_attestation: await key.attest(agentId, urls.native_url),
        developer: { name: "TypeScript e2e", id: "dev-ts-e2e" },
        requested_providers: [{ provider_id: service.app_id, scopes: [NATIVE_SCOPE] }],
        redirect_uris: [AGENT_REDIRECT],
      },
    });
    const reg = registered.data;
    expect(reg !== undefined, `register: HTTP ${registered.response.status}`);
    const nativeState = `ts-${crypto.randomUUID()}`;
    const authorized = await native.POST("/ath/authorize", {
      body: {
        client_id: reg.client_id,
        agent_attestation: await key.attest(agentId, urls.native_url),
        provider_id: service.app_id,
        scopes: [NATIVE_SCOPE],
        state: nativeState,
        user_redirect_uri: AGENT_REDIRECT,
      },
    });
    const auth = authorized.data;
    expect(auth !== undefined, `authorize: HTTP ${authorized.response.status}`);
    const landed = (await followConsent(auth.authorization_url, AGENT_REDIRECT)).searchParams;
    expect(landed.get("state") === nativeState, "state not echoed");
    const exchanged = await native.POST("/ath/token", {
      body: {
        grant_type: "authorization_code",
        client_id: reg.client_id,
        client_secret: reg.client_secret,
        agent_attestation: await key.attest(agentId, `${urls.native_url}/ath/token`),
        code: landed.get("code") ?? "",
        ath_session_id: auth.ath_session_id,
      },
    });
    expect(exchanged.data !== undefined, `token: HTTP ${exchanged.response.status}`);
    expect(exchanged.data.effective_scopes.join(" ") === NATIVE_SCOPE, "effective_scopes");
    nativeToken = exchanged.data;
    return `${service.app_id}: scopes ${exchanged.data.effective_scopes.join(" ")}`;
  });

  await check("native API call at api_base", async () => {
    const service = need(app, "native discovery");
    const t = need(nativeToken, "native token");
    const response = await fetch(`${service.api_base}/products`, {
      headers: { Authorization: `Bearer ${t.access_token}`, "X-ATH-Agent-ID": agentId },
    });
    expect(response.status === 200, `HTTP ${response.status}`);
    const body = (await response.json()) as { products?: unknown };
    expect(Array.isArray(body.products), "no products list");
    return `GET ${new URL(service.api_base).pathname}/products -> ${body.products.length} products`;
  });

  await check("unknown session (typed error)", async () => {
    const reg = need(registration, "registration");
    const { data, error, response } = await gateway.POST("/ath/token", {
      body: {
        grant_type: "authorization_code",
        client_id: reg.client_id,
        client_secret: reg.client_secret,
        agent_attestation: await key.attest(agentId, `${urls.gateway_url}/ath/token`),
        code: "ath_code_unknown",
        ath_session_id: "ath_sess_does_not_exist",
      },
    });
    expect(data === undefined, "a token for an unknown session");
    expect(response.status === 400 || response.status === 404, `HTTP ${response.status}`);
    const body = expectAthError(error, codes, "SESSION_NOT_FOUND");
    return `HTTP ${response.status} ${body.code}: ${body.message}`;
  });
}

async function main(): Promise<number> {
  const python = process.env["ATH_PYTHON"] ?? "python3";
  const specPath =
    process.env["ATH_SPEC_JSON"] ??
    fileURLToPath(new URL("../../../../spec/dist/openapi.json", import.meta.url));
  const codes = await errorCodes(specPath);
  const key = await AgentKey.generate();
  const dir = await mkdtemp(join(tmpdir(), "ath-ts-e2e-"));
  let stack: ChildProcess | undefined;
  try {
    const pemFile = join(dir, "agent.pub.pem");
    await writeFile(pemFile, key.publicPem, "utf8");
    const started = await startStack(python, pemFile);
    stack = started.child;
    console.log(`ts client e2e: local stack up, gateway ${started.urls.gateway_url}`);
    await run(started.urls, key, codes);
  } catch (err) {
    checks.push({ name: "setup", ok: false, detail: err instanceof Error ? err.message : String(err) });
    console.log(`  FAIL  setup: ${checks.at(-1)?.detail ?? ""}`);
  } finally {
    if (stack !== undefined) {
      await stopStack(stack);
    }
    await rm(dir, { recursive: true, force: true });
  }
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed;
  console.log(`ts client e2e: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

process.exitCode = await main();
