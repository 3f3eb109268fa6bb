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
  'pingone.getToken',
  'pingone.signIn',
  'pingone.signInWithPassword',
  'pingone.exchangeCode',
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
  'pingone.refreshView',
  'pingone.showLog',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** Commands activation handles itself, without loading the rest. */
export type ImmediateCommandId = 'pingone.refreshView' | 'pingone.showLog';
export type OnDemandCommandId = Exclude<CommandId, ImmediateCommandId>;

export type CommandHandler = (...args: unknown[]) => unknown;
