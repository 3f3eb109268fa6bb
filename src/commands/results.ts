/**
 * Introspection and userinfo results in read-only virtual documents (scheme `pingone-result`): JSON
 * only (so the JSON language reports nothing), one document per token set and kind, replaced by the
 * next call, with the kind, the application, the time and the endpoint in its title and path. Being
 * virtual, they are never dirty: closing one never asks to save. Tokens never go there: only what
 * the server answered.
 */
import vscode = require('vscode');

export const RESULT_SCHEME = 'pingone-result';
export type ResultKind = 'introspection' | 'userinfo';
const KIND_LABEL: Record<ResultKind, string> = { introspection: 'Introspection', userinfo: 'Userinfo' };

class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  /** The current document of each (token set, kind). */
  private readonly byKey = new Map<string, vscode.Uri>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '{}\n';
  }

  /** The URI of (token set, kind) now: the old one's editor is closed, so there is one per pair. */
  async show(opts: { tokenSetId: string; kind: ResultKind; application: string; endpoint: string; at: Date; value: unknown }): Promise<vscode.Uri> {
    const key = `${opts.tokenSetId}/${opts.kind}`;
    const endpoint = URL.canParse(opts.endpoint) ? new URL(opts.endpoint) : undefined;
    // The tab shows kind, application, time and the endpoint's host; its tooltip the whole endpoint.
    const name = `${KIND_LABEL[opts.kind]} · ${opts.application.replace(/\//g, '∕')} · ${opts.at.toLocaleTimeString()} · ${endpoint?.host ?? 'server'}.json`;
    const dir = endpoint ? `/${endpoint.host}${endpoint.pathname.replace(/\/+$/, '')}` : '';
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `${dir}/${name}`, query: new URLSearchParams({ key }).toString() });
    const previous = this.byKey.get(key);
    const same = previous?.path === uri.path;
    if (previous) this.contents.delete(previous.path);
    this.byKey.set(key, uri);
    this.contents.set(uri.path, `${JSON.stringify(opts.value, null, 2)}\n`);
    if (same) this.emitter.fire(uri); // a second call within the same second: same document, new content
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'json') await vscode.languages.setTextDocumentLanguage(doc, 'json');
    await vscode.window.showTextDocument(doc, { preview: false });
    // The old document's tab, looked up now (tab objects from before showing the new one go stale).
    const stale =
      previous && !same
        ? vscode.window.tabGroups.all
            .flatMap((g) => g.tabs)
            .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === RESULT_SCHEME && t.input.uri.path === previous.path)
        : [];
    if (stale.length) await vscode.window.tabGroups.close(stale, true);
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
    this.contents.clear();
    this.byKey.clear();
  }
}

let current: ResultDocuments | undefined;

export function showResult(opts: Parameters<ResultDocuments['show']>[0]): Promise<vscode.Uri> {
  return (current ??= new ResultDocuments()).show(opts);
}

export function disposeResults(): void {
  current?.dispose();
  current = undefined;
}
