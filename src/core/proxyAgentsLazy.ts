/** The proxy agent, behind one module that proxy.ts requires on first use (see proxyAgents). */
import type { Agent, ClientRequest } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';

/**
 * An agent that reaches https:// servers through a CONNECT tunnel. `strictSSL` decides whether the
 * server's certificate (seen through the tunnel) and an https:// proxy's own are verified:
 * https-proxy-agent applies its constructor's TLS options to the proxy connection only, and takes
 * the tunnelled TLS options from each request, which node-fetch does not let a caller set.
 */
export function tunnelAgent(proxy: string, strictSSL: boolean): Agent {
  class Tunnel extends HttpsProxyAgent<string> {
    override connect(req: ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
      return super.connect(req, opts.secureEndpoint ? { ...opts, rejectUnauthorized: strictSSL } : opts);
    }
  }
  return new Tunnel(proxy, { rejectUnauthorized: strictSSL, keepAlive: true });
}
