// `charter serve` (import "@charter/runtime/serve"): the gateway over Streamable HTTP for many agents.
// Explicit on purpose; runtime/test/public-api.test.ts pins it. Request authentication stays internal.

// Configuration: parse and check a serve config (YAML).
export {
  parseServeConfig,
  describeConfigProblems,
  socExporterConfig,
  type ServeConfig,
  type SocServeConfig,
  type AgentConfig,
  type UpstreamConfig,
  type ApproverConfig,
  type JwtConfig,
  type ConfigProblem,
  type ConfigResult,
} from "./config.js";
// What --check verifies beyond the shape: the files and folders the config names, without starting anything.
export { checkServeFiles, type PreflightOptions } from "./preflight.js";
// Starting, reloading and extending (plugins) a server.
export {
  startServe,
  ServeStartError,
  type ServeHandle,
  type ServeOptions,
  type ServePlugin,
  type ServeContext,
  type ReloadResult,
} from "./serve.js";
// Bearer tokens: mint one, and the SHA-256 the config stores instead of the token.
export { newToken, tokenSha256 } from "./auth.js";
