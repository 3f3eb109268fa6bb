/**
 * The integrations' implementations that load on first use (through dist/features.js): the chat
 * tools, the JWT hover and the variable commands. src/integrations/register.ts registers light
 * stand-ins for them at activation.
 */
export { DecodeJwtTool, GetAccessTokenTool, ListTokenSetsTool } from './chatTools';
export { JwtHoverProvider, copyJwtClaims } from './jwtHover';
export { variableCommands } from './variables';
