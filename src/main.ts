/**
 * The extension's entry (package.json "main"): loads the activation bundle, dist/extension.js,
 * with a V8 code cache kept in the extension's global storage folder (see core/codeCache), and
 * hands over to it. This file imports nothing from `vscode`. The loader ships here only: the
 * other bundles require it from this file (see esbuild.js).
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { codeCacheDir, configureCodeCache, configuredCodeCacheDir, flushCodeCache, lastOutcome, loadBundle } from './core/codeCache';

// loadBundle for the other bundles; the rest for diagnostics and the host tests.
export { configuredCodeCacheDir as codeCacheFolder, flushCodeCache, lastOutcome as codeCacheOutcomes, loadBundle };

type Extension = typeof import('./extension');
let extension: Extension | undefined;

export function activate(context: vscode.ExtensionContext): ReturnType<Extension['activate']> {
  // dist/features.js and the vendor files load with the same cache, on first use.
  configureCodeCache(codeCacheDir(context.globalStorageUri.fsPath));
  extension = loadBundle<Extension>(path.join(__dirname, 'extension.js'));
  return extension.activate(context);
}

export function deactivate(): void {
  extension?.deactivate();
  flushCodeCache();
}
