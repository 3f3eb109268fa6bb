/** Typed access to the `pingone.*` settings and VS Code's own proxy/TLS settings. */
import vscode = require('vscode');
import type { ProxyConfig } from '../core/proxy';

/** The default of `pingone.requestTimeoutSeconds` in package.json. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export function requestTimeoutMs(): number {
  const seconds = vscode.workspace.getConfiguration('pingone').get<number>('requestTimeoutSeconds');
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : DEFAULT_TIMEOUT_MS;
}

/** `http.proxy` (else HTTPS_PROXY/HTTP_PROXY), `http.proxyStrictSSL`, `http.noProxy` (else NO_PROXY). */
export function proxyConfig(): ProxyConfig {
  const http = vscode.workspace.getConfiguration('http');
  const env = process.env;
  const proxy = http.get<string>('proxy')?.trim() || env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy || undefined;
  const configured = http.get<string[]>('noProxy') ?? [];
  const fromEnv = (env.NO_PROXY ?? env.no_proxy ?? '').split(',');
  return {
    proxy,
    strictSSL: http.get<boolean>('proxyStrictSSL', true),
    noProxy: [...configured, ...fromEnv].map((h) => h.trim()).filter(Boolean),
  };
}
