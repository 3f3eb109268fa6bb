/** private_key_jwt key commands: copy the public JWKS to register in the tenant, rotate the key. */
import vscode = require('vscode');
import { type CommandContext, chooseApplication, command } from './context';

export function keyCommands(ctx: CommandContext) {
  const { service } = ctx;
  const keyApps = (a: { authMethod?: string }) => a.authMethod === 'private_key_jwt';
  return {
    'pingone.copyPublicJwks': command(ctx, 'Copy public JWKS', async (arg?: unknown) => {
      const id = await chooseApplication(ctx, arg, keyApps);
      const jwks = await service.publicJwks(id);
      await vscode.env.clipboard.writeText(JSON.stringify(jwks, null, 2));
      void vscode.window.setStatusBarMessage(
        `$(check) Public JWKS copied (${jwks.keys.length} key${jwks.keys.length === 1 ? '' : 's'}): paste it into the application's JWKS in the tenant`,
        5000,
      );
      return jwks;
    }),
    'pingone.rotateKey': command(ctx, 'Rotate key', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, keyApps);
      const signingAlg = (options as { signingAlg?: unknown } | undefined)?.signingAlg;
      const jwk = await service.rotateKey(id, { signingAlg: typeof signingAlg === 'string' ? signingAlg : undefined });
      ctx.log.info(`New signing key for "${service.getApplication(id).name}": kid ${String(jwk.kid)}`);
      void vscode.window
        .showInformationMessage(
          `The application now signs with a new key (kid ${String(jwk.kid)}). Register the updated public JWKS in the tenant; the old key stays listed until you remove it.`,
          'Copy Public JWKS',
        )
        .then((c) => c && vscode.commands.executeCommand('pingone.copyPublicJwks', id));
      return jwk;
    }),
  };
}
