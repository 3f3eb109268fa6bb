/**
 * The Token Inspector panel (extension side). One panel, reused; its page gets a model (decoded
 * header and claims, signature states) and asks for actions by message. Token text for Copy is
 * looked up here, never taken from the page; refresh tokens never reach the page at all.
 *
 * Lifecycle: the page says `ready` each time it loads (also after being hidden, since the panel
 * does not retain its context); only then is `show` posted. Everything registered is disposed
 * with the panel.
 */
import { randomBytes } from 'node:crypto';
import vscode = require('vscode');
import type { JWK } from 'jose';
import { dpopThumbprint } from '../../core/dpop';
import { ExplorerError } from '../../core/errors';
import { redact } from '../../core/redact';
import type { TokenService } from '../../core/service';
import { NO_KEY_SET } from '../../core/verify';
import { inspectorHtml } from './html';
import { KIND_LABEL, type TokenSource, copyText, issuerOf, modelFromJwt, modelFromTokenSet, modelKey, normaliseToken, sourcesOfSet, verifyModel } from './model';
import { type FromWebview, type InspectorModel, type IntrospectableKind, type TokenKind, type ToWebview, isFromWebview } from './protocol';
import { differOnlyBySlash } from '../../core/serverMetadata';

export interface InspectorDeps {
  extensionUri: vscode.Uri;
  service: TokenService;
  log: { info(m: string): void; error(m: string): void };
}

/** What to show: a stored token set (optionally with one token's tab selected), or a bare token. */
export type InspectorTarget = { tokenSetId: string; select?: TokenKind } | { jwt: string };

/** A model ready to post, with what is needed to finish it (signatures, introspection support). */
interface Built {
  model: InspectorModel;
  sources: TokenSource[];
  key: string;
  /** Resolves the issuer's endpoints and verifies signatures; never throws. */
  finish(model: InspectorModel): Promise<InspectorModel>;
}

function message(err: unknown, secrets: readonly string[]): string {
  return redact(err instanceof Error ? err.message : String(err), secrets);
}

export class InspectorPanel implements vscode.Disposable {
  static readonly viewType = 'pingone.tokenInspector';
  private static instance: InspectorPanel | undefined;

  /** The open inspector, if any (tests and `deactivate` use it). */
  static get current(): InspectorPanel | undefined {
    return InspectorPanel.instance;
  }

  /**
   * Opens the inspector on `target`, or points the open one at it and reveals it. Rejects (with
   * no panel created) when the token set does not exist or the token is empty.
   */
  static async show(deps: InspectorDeps, target: InspectorTarget): Promise<InspectorPanel> {
    if ('tokenSetId' in target) await deps.service.getTokenSet(target.tokenSetId);
    else if (!normaliseToken(target.jwt)) throw new ExplorerError('invalid_input', 'There is no token to inspect.', { field: 'token' });

    const existing = InspectorPanel.instance;
    if (existing) {
      existing.panel.reveal(undefined, false);
      await existing.setTarget(target);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      InspectorPanel.viewType,
      'Token Inspector',
      vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(deps.extensionUri, 'media')],
      },
    );
    const inspector = new InspectorPanel(panel, deps, target);
    InspectorPanel.instance = inspector;
    await inspector.setTarget(target);
    return inspector;
  }

  /** Closes the open inspector, if any. */
  static disposeCurrent(): void {
    InspectorPanel.instance?.dispose();
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private ready = false;
  private disposed = false;
  private current: InspectorModel | undefined;
  private postedKey: string | undefined;
  private pendingSelect: TokenKind | undefined;
  private buildSeq = 0;
  private postSeq = 0;
  /** The signature check of the latest post. */
  private finishing: Promise<void> | undefined;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: InspectorDeps,
    private targetValue: InspectorTarget,
  ) {
    const webview = panel.webview;
    const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, ...p)).toString();
    webview.html = inspectorHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: asset('dist', 'webview', 'inspector.js'),
      styleUri: asset('media', 'inspector.css'),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => void this.track(this.onMessage(m))),
      panel.onDidChangeViewState((e) => {
        // Without retainContextWhenHidden the page is torn down when hidden; it says `ready` again.
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
      deps.service.onDidChange(() => {
        if ('tokenSetId' in this.targetValue) void this.track(this.update(false));
      }),
    );
  }

  /** What the panel shows. */
  get target(): InspectorTarget {
    return this.targetValue;
  }

  /** The last model built for the page (posted once the page is ready). */
  get model(): InspectorModel | undefined {
    return this.current;
  }

  /** Whether the page has said `ready` since it last loaded. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Resolves when no message handling, rebuild or signature check is under way. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Handles a message as if the page had sent it (the page's own path; tests use it too). */
  receive(message: unknown): Promise<void> {
    return this.track(this.onMessage(message));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (InspectorPanel.instance === this) InspectorPanel.instance = undefined;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  // ---- model --------------------------------------------------------------------------------------

  private async setTarget(target: InspectorTarget): Promise<void> {
    this.targetValue = target;
    this.postedKey = undefined;
    this.pendingSelect = 'tokenSetId' in target ? target.select : undefined;
    const label = 'tokenSetId' in target ? `token set ${target.tokenSetId}` : 'a pasted token';
    this.deps.log.info(`Token Inspector: showing ${label}.`);
    await this.track(this.update(true));
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  /**
   * Rebuilds the model and posts it, then posts it again with signatures resolved. A newer
   * rebuild supersedes an older one; an unchanged token set (per `modelKey`) is not re-posted.
   */
  private async update(force: boolean): Promise<void> {
    const seq = ++this.buildSeq;
    const target = this.targetValue;
    let built: Built | undefined;
    try {
      built = await this.build(target);
    } catch (err) {
      if (seq === this.buildSeq && !this.disposed) this.reportFailure('Token Inspector', err, []);
      return;
    }
    if (seq !== this.buildSeq || this.disposed) return;
    if (!built) return this.markGone();
    // Unchanged: let the post already under way (if any) complete, so callers see it done.
    if (!force && built.key === this.postedKey) return this.finishing;
    this.postedKey = built.key;
    const gen = ++this.postSeq;
    this.setModel(built.model);
    const finishing = (async () => {
      const finished = await built.finish(built.model);
      if (gen === this.postSeq && !this.disposed) this.setModel(finished);
    })();
    this.finishing = finishing;
    await finishing;
  }

  /** The model for `target`; undefined when the token set was deleted meanwhile. */
  private async build(target: InspectorTarget): Promise<Built | undefined> {
    const { service, log } = this.deps;
    if ('jwt' in target) {
      const token = normaliseToken(target.jwt);
      const sources: TokenSource[] = [{ kind: 'jwt', token }];
      const model = modelFromJwt(token);
      return {
        model,
        sources,
        key: `jwt:${token}`,
        finish: async (m) => {
          const iss = issuerOf(token);
          const env = iss === undefined ? undefined : findEnvironmentByIssuer(service.listEnvironments(), iss);
          let jwksUrl: string | undefined;
          let reason =
            iss === undefined
              ? 'The token names no issuer (iss), so there is no key set to check it against.'
              : `The issuer ${iss} is not one of your environments: add it to verify this signature.`;
          if (env) {
            try {
              jwksUrl = (await service.endpoints(env.id)).jwks;
              reason = NO_KEY_SET;
            } catch (err) {
              reason = `The issuer's key set is unavailable: ${message(err, [token])}`;
              log.error(`Token Inspector: endpoints of ${env.name}: ${reason}`);
            }
          }
          return verifyModel(m, sources, jwksUrl, service.jwks, reason);
        },
      };
    }

    const id = target.tokenSetId;
    if (!service.listTokenSets().some((t) => t.id === id)) return undefined;
    const set = await service.getTokenSet(id);
    const sources = sourcesOfSet(set);
    const secrets = sources.map((s) => s.token);
    const tryGet = <T>(f: () => T): T | undefined => {
      try {
        return f();
      } catch {
        return undefined;
      }
    };
    const app = tryGet(() => service.getApplication(set.applicationId));
    const env = tryGet(() => service.getEnvironment(set.environmentId));
    const now = Date.now();
    // Until the endpoints are known, offer Introspect when there is an environment to ask.
    const model = modelFromTokenSet(set, {
      applicationName: app?.name,
      clientId: app?.clientId,
      environmentName: env?.name,
      canIntrospect: !!env,
      now,
      // Only the key's thumbprint reaches the model, to compare with the token's cnf.jkt.
      dpopThumbprint: set.dpopKey ? await dpopThumbprint(set.dpopKey as JWK).catch(() => undefined) : undefined,
    });
    return {
      model,
      sources,
      key: modelKey(set, !!env, now),
      finish: async (m) => {
        if (!env) return verifyModel(m, sources, undefined, service.jwks, 'The environment of this token set no longer exists.');
        try {
          const endpoints = await service.endpoints(env.id);
          return verifyModel({ ...m, canIntrospect: !!endpoints.introspection }, sources, endpoints.jwks, service.jwks);
        } catch (err) {
          const reason = `The issuer's key set is unavailable: ${message(err, secrets)}`;
          log.error(`Token Inspector: endpoints of ${env.name}: ${reason}`);
          return verifyModel(m, sources, undefined, service.jwks, reason);
        }
      },
    };
  }

  private setModel(model: InspectorModel): void {
    this.current = model;
    this.postShow();
  }

  private postShow(): void {
    if (!this.current || !this.ready) return;
    const select = this.pendingSelect;
    this.pendingSelect = undefined;
    this.post({ type: 'show', model: this.current, now: Date.now(), ...(select ? { select } : {}) });
  }

  /** The token set was deleted while shown: keep the view, drop the actions, say why. */
  private markGone(): void {
    if (!this.current || this.current.status === 'deleted') return;
    this.postSeq++;
    this.postedKey = undefined;
    this.setModel({ ...this.current, status: 'deleted', canRefresh: false, canIntrospect: false });
    this.post({ type: 'error', message: 'This token set was deleted; what is shown is what it held.' });
  }

  private post(msg: ToWebview): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(msg);
  }

  private reportFailure(context: string, err: unknown, secrets: readonly string[]): void {
    const text = message(err, secrets);
    this.deps.log.error(`${context}: ${err instanceof ExplorerError ? `[${err.code}] ` : ''}${text}`);
    this.post({ type: 'error', message: `${context}: ${text}` });
  }

  // ---- messages -----------------------------------------------------------------------------------

  private async onMessage(raw: unknown): Promise<void> {
    if (this.disposed) return;
    if (!isFromWebview(raw)) {
      this.deps.log.error('Token Inspector: ignored a malformed message from its page.');
      return;
    }
    const msg: FromWebview = raw;
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.postShow();
        return;
      case 'refresh':
        return this.refresh();
      case 'introspect':
        return this.introspect(msg.token ?? 'access_token');
      case 'copy':
        return this.copy(msg.what, msg.kind);
    }
  }

  private async secretsOf(id: string): Promise<string[]> {
    try {
      return sourcesOfSet(await this.deps.service.getTokenSet(id)).map((s) => s.token);
    } catch {
      return [];
    }
  }

  private async refresh(): Promise<void> {
    const target = this.targetValue;
    if (!('tokenSetId' in target)) {
      this.post({ type: 'error', message: 'Only a stored token set can be refreshed.' });
      return;
    }
    const secrets = await this.secretsOf(target.tokenSetId);
    this.post({ type: 'busy', action: 'refresh', busy: true });
    try {
      await this.deps.service.refresh(target.tokenSetId);
      this.deps.log.info(`Token Inspector: refreshed token set ${target.tokenSetId}.`);
      if (this.targetValue === target) await this.update(false);
    } catch (err) {
      this.reportFailure('Refresh failed', err, [...secrets, ...(await this.secretsOf(target.tokenSetId))]);
    } finally {
      this.post({ type: 'busy', action: 'refresh', busy: false });
    }
  }

  private async introspect(token: IntrospectableKind): Promise<void> {
    const target = this.targetValue;
    if (!('tokenSetId' in target)) {
      this.post({ type: 'error', message: 'Only a stored token set can be introspected: its application holds the credentials.' });
      return;
    }
    this.post({ type: 'busy', action: 'introspect', busy: true });
    try {
      const result = await this.deps.service.introspect(target.tokenSetId, { token });
      if (this.targetValue === target) this.post({ type: 'introspection', result, token });
    } catch (err) {
      this.reportFailure('Introspection failed', err, await this.secretsOf(target.tokenSetId));
    } finally {
      this.post({ type: 'busy', action: 'introspect', busy: false });
    }
  }

  private async copy(what: 'token' | 'header' | 'payload', kind: TokenKind): Promise<void> {
    const target = this.targetValue;
    if (this.current?.status === 'deleted') {
      this.post({ type: 'error', message: 'This token set was deleted: its tokens are no longer stored, so there is nothing to copy.' });
      return;
    }
    let sources: TokenSource[];
    try {
      sources = 'jwt' in target ? [{ kind: 'jwt', token: normaliseToken(target.jwt) }] : sourcesOfSet(await this.deps.service.getTokenSet(target.tokenSetId));
    } catch (err) {
      this.reportFailure('Copy failed', err, []);
      return;
    }
    const text = copyText(sources, kind, what);
    const noun = kind === 'id_token' || kind === 'jwt' ? KIND_LABEL[kind] : KIND_LABEL[kind].toLowerCase();
    const label = `${noun}${what === 'token' ? '' : what === 'header' ? ' header' : ' claims'}`;
    if (text === undefined) {
      this.post({ type: 'error', message: `Nothing to copy: there is no readable ${label}.` });
      return;
    }
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied the ${label}.`, 3000);
    this.deps.log.info(`Token Inspector: copied the ${label}.`);
  }
}

/**
 * The environment a token's `iss` names: exactly, else one stored without (or with) the trailing
 * slash the server uses, which the environment adopts at its next discovery.
 */
function findEnvironmentByIssuer<E extends { issuer: string }>(envs: E[], iss: string): E | undefined {
  return envs.find((e) => e.issuer === iss) ?? envs.find((e) => differOnlyBySlash(e.issuer, iss));
}
