// The MCP gateway (import "@charter/runtime/gateway"): kept out of the main entry so applications that do
// not proxy MCP do not load the SDK.
export { createGateway, toolDefinitionDigest, type Gateway, type GatewayOptions } from "./mcp-gateway.js";
