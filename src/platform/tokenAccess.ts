/** The VS Code side of `pingone.api.tokenAccess`: the user-level setting and the modal question. */
import vscode = require('vscode');
import { type ConsentAnswer, TOKEN_ACCESS_MODES, TokenAccessGate, type TokenAccessMode } from '../core/consent';

/** Only the user's own setting counts: a workspace (a cloned repository) cannot turn consent off. */
export function tokenAccessMode(): TokenAccessMode {
  const value = vscode.workspace.getConfiguration('pingone.api').inspect<string>('tokenAccess')?.globalValue;
  return (TOKEN_ACCESS_MODES as readonly unknown[]).includes(value) ? (value as TokenAccessMode) : 'ask';
}

async function askPerson(question: string): Promise<ConsentAnswer> {
  const once = { title: 'Allow Once' };
  const window = { title: 'Allow for This Window' };
  const deny = { title: 'Deny', isCloseAffordance: true };
  const choice = await vscode.window.showWarningMessage(
    question,
    {
      modal: true,
      detail:
        'It would get the access, refresh and ID tokens, or new tokens minted with the stored client secret. Extensions that only need a ' +
        'session should use the PingOne authentication provider, where VS Code asks per extension. Setting: pingone.api.tokenAccess.',
    },
    once,
    window,
    deny,
  );
  return choice === once ? 'once' : choice === window ? 'window' : undefined;
}

export function createTokenAccessGate(): TokenAccessGate {
  return new TokenAccessGate(tokenAccessMode, askPerson);
}
