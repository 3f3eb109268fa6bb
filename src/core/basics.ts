/**
 * Small facts about hosts and paths that activation needs without the validation code around them
 * (core/environment, core/workspace), so that the activation bundle does not carry those.
 */

/**
 * Literal loopback only: 127.0.0.0/8, ::1 and exactly `localhost`. Names under `.localhost` are
 * not: they are resolved through DNS like any other name and may point anywhere.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){2}$/.test(h);
}

/** Whether a request may go to `url`: over https://, or over plain http:// to a loopback host only. */
export function isAllowedTransport(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** The workspace file, relative to a workspace folder (see core/workspace). */
export const WORKSPACE_FILE = '.vscode/pingone.json';
