/** The proxy agents, behind one module that proxy.ts requires on first use (see proxyAgents). */
export { HttpProxyAgent } from 'http-proxy-agent';
export { HttpsProxyAgent } from 'https-proxy-agent';
