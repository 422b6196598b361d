// The MCP gateway (import "@charter/runtime/gateway"): kept out of the main entry so applications that do
// not proxy MCP do not load the SDK. Explicit on purpose; runtime/test/public-api.test.ts pins it.

// A guard in front of MCP upstreams, and the digest `pin` compares tool definitions by.
export { createGateway, toolDefinitionDigest, type Gateway, type GatewayOptions } from "./mcp-gateway.js";
