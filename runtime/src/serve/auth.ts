// Who is calling: a bearer token is hashed (SHA-256 hex) and looked up among the configured hashes, so the
// gateway never holds a token itself; or, with `jwt:` configured, a JWT is verified against the issuer's
// JWKS (signature, issuer, audience, expiry) and its agent claim names the agent.
import * as crypto from "node:crypto";
import { createHash, randomBytes } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { JwtConfig } from "./config.js";

// one-shot hashing (Node ≥ 20.12) skips the Hash object every request would otherwise build
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function tokenSha256(token: string): string {
  return oneShot !== undefined ? oneShot("sha256", token, "hex") : createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new random bearer token (256 bits, base64url) and the hash that goes into the config. */
export function newToken(): { token: string; sha256: string } {
  const token = "ch_" + randomBytes(32).toString("base64url");
  return { token, sha256: tokenSha256(token) };
}

export type Authenticated = { ok: true; principal: string; via: "token" | "jwt" } | { ok: false; reason: string };

export function bearerOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export class Authenticator {
  private readonly byHash: Map<string, string>;
  private readonly jwks: JWTVerifyGetKey | undefined;

  /** `hashes`: token hash → principal name (an agent). */
  constructor(
    hashes: Map<string, string>,
    private readonly jwt: JwtConfig | undefined,
    private readonly isAgent: (name: string) => boolean,
  ) {
    this.byHash = hashes;
    this.jwks = jwt ? createRemoteJWKSet(new URL(jwt.jwksUrl)) : undefined;
  }

  /** Synchronous for opaque tokens (the hot path); a JWT needs the issuer's keys and is asynchronous. */
  authenticate(header: string | undefined): Authenticated | Promise<Authenticated> {
    const token = bearerOf(header);
    if (token === undefined)
      return { ok: false, reason: header === undefined ? "no Authorization header" : "the Authorization header is not a Bearer token" };
    const principal = this.byHash.get(tokenSha256(token));
    if (principal !== undefined) return { ok: true, principal, via: "token" };
    if (this.jwks !== undefined && JWT_SHAPE.test(token)) return this.verifyJwt(token);
    return { ok: false, reason: "unknown token" };
  }

  private async verifyJwt(token: string): Promise<Authenticated> {
    const jwt = this.jwt!;
    try {
      const { payload } = await jwtVerify(token, this.jwks!, { issuer: jwt.issuer, audience: jwt.audience, requiredClaims: ["exp"] });
      const name = payload[jwt.agentClaim];
      if (typeof name !== "string") return { ok: false, reason: `the JWT has no string claim '${jwt.agentClaim}'` };
      if (!this.isAgent(name)) return { ok: false, reason: `the JWT names agent '${name}', which this gateway does not serve` };
      return { ok: true, principal: name, via: "jwt" };
    } catch (e) {
      return { ok: false, reason: `JWT refused: ${(e as Error).message}` };
    }
  }
}
