/**
 * Language model tools for chat agents: pingone_decodeJwt (local, no network),
 * pingone_listTokenSets (metadata only, never a token) and pingone_getAccessToken (a fresh access
 * token, after the user confirms every time; the log records that one was handed out, never the
 * token itself).
 */
import vscode = require('vscode');
import { decodeJwt, describeExpiry, numericDate } from '../core/jwt';
import type { TokenService } from '../core/service';
import type { Log } from '../platform/log';
import { minValiditySeconds } from './settings';
import { candidates, freshAccessToken } from './tokenAccess';

const text = (s: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(s)]);

export class DecodeJwtTool implements vscode.LanguageModelTool<{ token: string }> {
  invoke(options: vscode.LanguageModelToolInvocationOptions<{ token: string }>): vscode.LanguageModelToolResult {
    const token = String(options.input?.token ?? '')
      .trim()
      .replace(/^Bearer\s+/i, '');
    const { header, payload } = decodeJwt(token);
    const exp = numericDate(payload, 'exp');
    const iat = numericDate(payload, 'iat');
    const lines = [
      `Header: ${JSON.stringify(header)}`,
      `Payload: ${JSON.stringify(payload)}`,
      exp !== undefined ? `Expiry: ${new Date(exp).toISOString()} (${describeExpiry(exp, Date.now())})` : 'Expiry: none',
      iat !== undefined ? `Issued at: ${new Date(iat).toISOString()}` : '',
      'The signature was not checked (decoding is local; nothing was sent anywhere).',
    ];
    return text(lines.filter(Boolean).join('\n'));
  }
}

interface AccessTokenInput {
  application?: string;
  tokenSet?: string;
  scope?: string;
}

function describeSets(service: TokenService): string {
  const apps = new Map(service.listApplications().map((a) => [a.id, a] as const));
  const envs = new Map(service.listEnvironments().map((e) => [e.id, e] as const));
  const now = Date.now();
  const sets = service.listTokenSets().map((t) => ({
    tokenSet: t.id,
    application: apps.get(t.applicationId)?.name,
    applicationId: t.applicationId,
    environment: envs.get(t.environmentId)?.name,
    grant: t.grant,
    scopes: t.scope ?? '',
    expiresAt: t.expiresAt === undefined ? undefined : new Date(t.expiresAt).toISOString(),
    expiry: describeExpiry(t.expiresAt, now),
    status: t.status,
  }));
  return sets.length ? JSON.stringify(sets, null, 2) : 'No PingOne token sets are stored.';
}

export class ListTokenSetsTool implements vscode.LanguageModelTool<Record<string, never>> {
  constructor(private readonly service: TokenService) {}
  invoke(): vscode.LanguageModelToolResult {
    return text(describeSets(this.service));
  }
}

export class GetAccessTokenTool implements vscode.LanguageModelTool<AccessTokenInput> {
  constructor(
    private readonly service: TokenService,
    private readonly log: Log,
  ) {}

  private request(input: AccessTokenInput | undefined) {
    const apps = this.service.listApplications();
    const name = input?.application;
    const app = name ? (apps.find((a) => a.id === name) ?? apps.find((a) => a.clientId === name) ?? apps.find((a) => a.name === name)) : undefined;
    if (name && !app) throw new Error(`No PingOne application is called "${name}".`);
    return { applicationId: app?.id, tokenSetId: input?.tokenSet || undefined, scope: input?.scope || undefined };
  }

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<AccessTokenInput>): vscode.PreparedToolInvocation {
    const [set] = candidates(this.service, this.request(options.input));
    const app = set ? this.service.listApplications().find((a) => a.id === set.applicationId)?.name : undefined;
    const what = set ? `${app ?? set.applicationId} (${set.scope ?? 'default scope'}, ${describeExpiry(set.expiresAt, Date.now())})` : 'a matching application';
    return {
      invocationMessage: `Getting a PingOne access token for ${app ?? 'the chat'}`,
      confirmationMessages: { title: 'PingOne access token', message: `Give a PingOne access token for ${what} to the chat?` },
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<AccessTokenInput>): Promise<vscode.LanguageModelToolResult> {
    const t = await freshAccessToken(this.service, { ...this.request(options.input), minValiditySeconds: minValiditySeconds() });
    const info = this.service.getTokenSetInfo(t.tokenSetId);
    const app = this.service.listApplications().find((a) => a.id === info.applicationId)?.name ?? info.applicationId;
    this.log.info(`An access token of ${app} (token set ${t.tokenSetId}) was handed to a chat tool call.`);
    return text(
      JSON.stringify({
        accessToken: t.accessToken,
        tokenType: t.tokenType,
        expiresAt: t.expiresAt && new Date(t.expiresAt).toISOString(),
        application: app,
        tokenSet: t.tokenSetId,
      }),
    );
  }
}
