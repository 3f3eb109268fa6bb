/**
 * Consent before the public API hands tokens to another extension (setting
 * `pingone.api.tokenAccess`): `allow`, `deny` (code `access_denied`), or `ask`, where the first
 * request for an application's tokens in a window asks the person. Pure: the setting and the
 * question arrive as functions.
 */
import { ExplorerError } from './errors';

export type TokenAccessMode = 'ask' | 'allow' | 'deny';
export const TOKEN_ACCESS_MODES: readonly TokenAccessMode[] = ['ask', 'allow', 'deny'];

/** What the person answered: this call only, every call for this application in this window, or no. */
export type ConsentAnswer = 'once' | 'window' | undefined;

export interface ConsentSubject {
  applicationId: string;
  application: string;
  environment: string;
}

/** Who an application's tokens belong to, in the words the consent question uses. */
export function consentSubject(
  lookup: { getApplication(id: string): { name: string; environmentId: string }; listEnvironments(): { id: string; name: string }[] },
  applicationId: string,
): ConsentSubject {
  const app = lookup.getApplication(applicationId);
  const environment = lookup.listEnvironments().find((e) => e.id === app.environmentId)?.name ?? app.environmentId;
  return { applicationId, application: app.name, environment };
}

export class TokenAccessGate {
  private readonly allowedForWindow = new Set<string>();

  constructor(
    private readonly mode: () => TokenAccessMode,
    private readonly ask: (question: string, subject: ConsentSubject) => PromiseLike<ConsentAnswer>,
  ) {}

  /** Resolves when the caller may have the tokens; throws `access_denied` otherwise. */
  async check(subject: ConsentSubject): Promise<void> {
    const what = `the tokens of ${subject.application} (${subject.environment})`;
    const mode = this.mode();
    if (mode === 'allow') return;
    if (mode === 'deny') {
      throw new ExplorerError('access_denied', `No extension may get ${what}: the setting "pingone.api.tokenAccess" is "deny".`);
    }
    if (this.allowedForWindow.has(subject.applicationId)) return;
    const answer = await this.ask(`An extension asked for ${what}.`, subject);
    if (answer === 'window') this.allowedForWindow.add(subject.applicationId);
    else if (answer !== 'once') throw new ExplorerError('access_denied', `Access to ${what} was denied.`);
  }
}
