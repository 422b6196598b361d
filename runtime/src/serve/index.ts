// `charter serve` (import "@charter/runtime/serve"): the gateway over Streamable HTTP for many agents.
export { parseServeConfig, describeConfigProblems, type ServeConfig, type AgentConfig, type UpstreamConfig, type ApproverConfig, type JwtConfig, type ConfigProblem, type ConfigResult } from "./config.js";
export { startServe, ServeStartError, type ServeHandle, type ServeOptions, type ServePlugin, type ServeContext, type ReloadResult } from "./serve.js";
export { newToken, tokenSha256, bearerOf, Authenticator } from "./auth.js";
