// A small TypeScript ATH client: types generated from spec/dist/openapi.json by
// openapi-typescript, requests sent by openapi-fetch, attestations signed with jose (ES256).
// Nothing here re-describes the wire format by hand: every path, body and error shape comes
// from the generated `paths` and `components`.
import { randomUUID } from "node:crypto";

import createClient, { type Client } from "openapi-fetch";
import { SignJWT, calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair } from "jose";

import type { components, paths } from "../generated/ath.mjs";

export type { components, paths };
export type Schemas = components["schemas"];
export type AthClient = Client<paths>;

/** An openapi-fetch client for one ATH gateway or ATH-native service. */
export function athClient(baseUrl: string): AthClient {
  return createClient<paths>({ baseUrl });
}

/** `Authorization` value for the registration status call (RFC 7617 Basic). */
export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`, "utf8").toString("base64")}`;
}

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

/** An agent's EC P-256 key pair; mints one fresh attestation JWT per call. */
export class AgentKey {
  private constructor(
    private readonly privateKey: SigningKey,
    /** SubjectPublicKeyInfo PEM of the public key, for the agent identity document. */
    readonly publicPem: string,
    /** RFC 7638 thumbprint of the public JWK, sent as the JWS `kid`. */
    readonly kid: string,
  ) {}

  static async generate(): Promise<AgentKey> {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = await exportJWK(publicKey);
    return new AgentKey(privateKey, await exportSPKI(publicKey), await calculateJwkThumbprint(jwk));
  }

  /** A compact ES256 JWS with iss = sub = agentId, the given audience and a unique jti. */
  async attest(agentId: string, audience: string, lifetimeSeconds = 60): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: this.kid })
      .setIssuer(agentId)
      .setSubject(agentId)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const MAX_HOPS = 20;

/**
 * Follow an `authorization_url` through the consent redirects like a browser would (cookies
 * kept per host, redirects handled one by one), until the redirect aimed at `agentRedirect`,
 * which is returned without being fetched. Loopback only: this is for local test stacks whose
 * consent screens approve without a human.
 */
export async function followConsent(authorizationUrl: string, agentRedirect: string): Promise<URL> {
  const jar = new Map<string, Map<string, string>>();
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    if (!LOOPBACK.has(url.hostname)) {
      throw new Error(`consent: refusing to leave loopback (${url.hostname})`);
    }
    const cookies = jar.get(url.host);
    const headers: Record<string, string> = { accept: "application/json, text/html;q=0.9" };
    if (cookies !== undefined && cookies.size > 0) {
      headers["cookie"] = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    }
    const response = await fetch(url, { redirect: "manual", headers });
    keepCookies(jar, url.host, response.headers.getSetCookie());
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || location === null) {
      throw new Error(`consent stopped at ${url.pathname} with HTTP ${response.status}`);
    }
    const next = new URL(location, url);
    if (next.href.startsWith(agentRedirect)) {
      return next;
    }
    url = next;
  }
  throw new Error(`consent did not reach the agent within ${MAX_HOPS} redirects`);
}

function keepCookies(jar: Map<string, Map<string, string>>, host: string, setCookies: string[]): void {
  for (const line of setCookies) {
    const [pair = "", ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      continue;
    }
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
    const cookies = jar.get(host) ?? new Map<string, string>();
    if (expired) {
      cookies.delete(name);
    } else {
      cookies.set(name, value);
    }
    jar.set(host, cookies);
  }
}
