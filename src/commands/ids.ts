/**
 * Every command the extension contributes (package.json `contributes.commands`, kept equal by a
 * unit test). Activation registers each of them with a small dispatcher; the handlers themselves
 * load on first use (see features.ts).
 */
export const COMMAND_IDS = [
  'pingone.addEnvironment',
  'pingone.editEnvironment',
  'pingone.removeEnvironment',
  'pingone.addApplication',
  'pingone.editApplication',
  'pingone.removeApplication',
  'pingone.copyPublicJwks',
  'pingone.rotateKey',
  'pingone.getToken',
  'pingone.signIn',
  'pingone.copySignInUrl',
  'pingone.signInAgain',
  'pingone.signInWithPassword',
  'pingone.exchangeCode',
  'pingone.deviceAuthorization',
  'pingone.passwordGrant',
  'pingone.tokenExchange',
  'pingone.backchannelAuthentication',
  'pingone.refreshToken',
  'pingone.toggleAutoRefresh',
  'pingone.inspectToken',
  'pingone.decodeJwt',
  'pingone.copyAccessToken',
  'pingone.copyAuthorizationHeader',
  'pingone.copyAsCurl',
  'pingone.revokeToken',
  'pingone.introspectToken',
  'pingone.userinfo',
  'pingone.deleteTokenSet',
  'pingone.importPostmanEnvironment',
  'pingone.importCurl',
  'pingone.browseTenant',
  'pingone.syncFromTenant',
  'pingone.exportToWorkspaceFile',
  'pingone.enterClientSecret',
  'pingone.refreshView',
  'pingone.showLog',
  // src/integrations/variables.ts (answered at activation: ${command:…} variables must be fast)
  'pingone.accessToken',
  'pingone.idToken',
  'pingone.authorizationHeader',
  'pingone.useForVariables',
  // src/integrations/jwtHover.ts
  'pingone.copyJwtClaims',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** Commands activation handles itself, without loading the rest. */
export const IMMEDIATE_COMMAND_IDS = [
  'pingone.refreshView',
  'pingone.showLog',
  'pingone.accessToken',
  'pingone.idToken',
  'pingone.authorizationHeader',
  'pingone.useForVariables',
  'pingone.copyJwtClaims',
] as const satisfies readonly CommandId[];
export type ImmediateCommandId = (typeof IMMEDIATE_COMMAND_IDS)[number];
export type OnDemandCommandId = Exclude<CommandId, ImmediateCommandId>;

export function isOnDemand(id: CommandId): id is OnDemandCommandId {
  return !(IMMEDIATE_COMMAND_IDS as readonly CommandId[]).includes(id);
}

export type CommandHandler = (...args: unknown[]) => unknown;
