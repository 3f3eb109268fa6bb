/**
 * Proxy and TLS choices for each request, from VS Code's `http.proxy`, `http.proxyStrictSSL` and
 * `http.noProxy` settings (or the standard environment variables): a CONNECT tunnel through the
 * proxy for https:// URLs, direct for loopback hosts and hosts on the no-proxy list. Agents are reused.
 */
import type { Agent } from 'node:http';
import { isLoopbackHost } from './basics';
// The proxy agents are loaded the first time a proxy is used (a lazy require the bundler keeps
// lazy): with no proxy configured, activation does not pay for them.
const proxyAgents = () => require('./proxyAgentsLazy') as typeof import('./proxyAgentsLazy');

export interface ProxyConfig {
  /** e.g. http://proxy.example:3128; empty for direct connections. */
  proxy?: string;
  /** Verify TLS certificates on proxied requests (of servers reached through the proxy and of an https proxy); direct ones always verify. */
  strictSSL: boolean;
  /** Hosts reached directly: exact names, `.suffix` / `*.suffix`, optional `:port`, or `*`. */
  noProxy: string[];
}

export function bypassesProxy(url: URL, noProxy: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry) return false;
    if (entry === '*') return true;
    const [name, entryPort] = entry.replace(/^\[|\]$/g, '').split(/:(?=\d+$)/);
    if (entryPort && entryPort !== port) return false;
    const suffix = name.replace(/^\*?\./, '');
    return host === suffix || (name.startsWith('.') || name.startsWith('*.') ? host.endsWith(`.${suffix}`) : false);
  });
}

export class ProxyAgents {
  private readonly cache = new Map<string, Agent>();

  /** The agent for one request, or undefined for Node's default (direct, verified TLS). */
  agentFor(url: URL, config: ProxyConfig): Agent | undefined {
    // Loopback is never proxied: plain-http requests to a local server would cross the proxy in cleartext.
    const useProxy = !!config.proxy && !isLoopbackHost(url.hostname) && !bypassesProxy(url, config.noProxy);
    const key = `${url.protocol}|${useProxy ? config.proxy : ''}|${config.strictSSL}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    // Plain http:// is only ever sent to loopback hosts (httpRequest refuses it elsewhere), and
    // loopback is not proxied, so every proxied request is https:// through a CONNECT tunnel.
    const agent = useProxy && url.protocol === 'https:' ? proxyAgents().tunnelAgent(config.proxy as string, config.strictSSL) : undefined;
    // Direct connections always verify certificates: http.proxyStrictSSL is about the proxy's
    // interception (corporate TLS inspection), not a switch for every server.
    if (agent) this.cache.set(key, agent);
    return agent;
  }

  dispose(): void {
    for (const agent of this.cache.values()) agent.destroy();
    this.cache.clear();
  }
}
