/**
 * Activation's part of the integrations: light registrations whose implementations
 * (src/integrations/lazyParts.ts, in dist/features.js) load on first use, the way command
 * handlers do. The authentication provider, the pinned set and its status bar item stay here:
 * they must follow every change from activation on, and read metadata only until asked.
 */
import vscode = require('vscode');
import type { TokenService } from '../core/service';
import type { Log } from '../platform/log';
import type { Pinned } from './pinned';

export const VARIABLE_COMMAND_IDS = ['pingone.accessToken', 'pingone.idToken', 'pingone.authorizationHeader', 'pingone.useForVariables'] as const;

type Parts = typeof import('./lazyParts');

export interface LazyDeps {
  service: TokenService;
  pinned: Pinned;
  log: Log;
  /** Loads dist/features.js (extension.ts's loader). */
  parts: () => Parts;
  verify(token: string, jwksUrl: string): Promise<import('../core/verify').SignatureState>;
}

/** Handlers of the variable commands and Copy Decoded Claims, loading their code on the first call. */
export function lazyCommands(deps: LazyDeps): Record<(typeof VARIABLE_COMMAND_IDS)[number] | 'pingone.copyJwtClaims', (...args: unknown[]) => unknown> {
  let handlers: ReturnType<Parts['variableCommands']> | undefined;
  const variable =
    (id: (typeof VARIABLE_COMMAND_IDS)[number]) =>
    (...args: unknown[]) =>
      (handlers ??= deps.parts().variableCommands({ service: deps.service, pinned: deps.pinned, log: deps.log }))[id](...args);
  return {
    'pingone.accessToken': variable('pingone.accessToken'),
    'pingone.idToken': variable('pingone.idToken'),
    'pingone.authorizationHeader': variable('pingone.authorizationHeader'),
    'pingone.useForVariables': variable('pingone.useForVariables'),
    'pingone.copyJwtClaims': (token) => deps.parts().copyJwtClaims(token),
  };
}

/** The JWT hover (every language) and the chat tools, each loading its code on first use. */
export function registerLazyIntegrations(deps: LazyDeps): vscode.Disposable {
  let hover: vscode.HoverProvider | undefined;
  const hoverProvider: vscode.HoverProvider = {
    provideHover: (document, position, token) =>
      (hover ??= new (deps.parts().JwtHoverProvider)({ service: deps.service, verify: deps.verify })).provideHover(document, position, token),
  };
  const tool = <T>(make: () => vscode.LanguageModelTool<T>): vscode.LanguageModelTool<T> => {
    let made: vscode.LanguageModelTool<T> | undefined;
    const get = () => (made ??= make());
    return {
      prepareInvocation: (options, token) => get().prepareInvocation?.(options, token),
      invoke: (options, token) => get().invoke(options, token),
    };
  };
  return vscode.Disposable.from(
    vscode.languages.registerHoverProvider({ scheme: '*' }, hoverProvider),
    vscode.lm.registerTool(
      'pingone_decodeJwt',
      tool(() => new (deps.parts().DecodeJwtTool)()),
    ),
    vscode.lm.registerTool(
      'pingone_listTokenSets',
      tool(() => new (deps.parts().ListTokenSetsTool)(deps.service)),
    ),
    vscode.lm.registerTool(
      'pingone_getAccessToken',
      tool(() => new (deps.parts().GetAccessTokenTool)(deps.service, deps.log)),
    ),
  );
}
