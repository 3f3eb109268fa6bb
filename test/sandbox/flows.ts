// PingOne flows API (headless sign-on, `response_mode=pi.flow`) on top of oidc-provider:
//
//   GET  /{env}/as/authorize?…&response_mode=pi.flow  → 200 flow JSON, Set-Cookie: ST
//   GET  /{env}/flows/{flowId}                        → flow JSON            (needs ST)
//   POST /{env}/flows/{flowId}  usernamePassword.check → COMPLETED / 400     (needs ST)
//   GET  /{env}/as/resume?flowId=…                    → 302 redirect_uri?code=…, or 200
//                                                        {authorizeResponse} with Accept: json (needs ST)
//
// Internally the authorize request is replayed against oidc-provider (same listener, over loopback
// HTTP) without `response_mode`, which starts a normal interaction. The flow remembers that
// interaction and oidc-provider's resume cookie, so the client only ever deals with the ST cookie.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { parseCookies, readBody, sendJson, sendPlatformError } from './http';
import type { OidcProvider } from './provider';
import { checkCredentials, signedInResult } from './signon';

const CHECK_CONTENT_TYPE = 'application/vnd.pingidentity.usernamePassword.check+json';
const SESSION_COOKIE = 'ST';
/** Marks the flows API's own replay of an authorize request (see start). */
export const FLOWS_REPLAY_HEADER = 'x-sandbox-flows-replay';

type FlowStatus = 'USERNAME_PASSWORD_REQUIRED' | 'COMPLETED';

interface Flow {
  id: string;
  status: FlowStatus;
  /** oidc-provider interaction this flow drives. */
  uid: string;
  /** Path of oidc-provider's resume endpoint for the interaction, and the cookies it requires. */
  resumePath: string;
  resumeCookies: string;
  /** Value of the ST cookie the flow is bound to. */
  session: string;
  expiresAt: number;
}

export interface FlowsSetup {
  url: string;
  envId: string;
  provider: OidcProvider;
  /** Matches the sign-on path oidc-provider redirects to; group 1 is the interaction uid. */
  signonPattern: RegExp;
  ttlSeconds: number;
}

export interface Flows {
  /** GET /{env}/as/authorize with response_mode=pi.flow. */
  start(req: IncomingMessage, res: ServerResponse, requestUrl: URL): Promise<void>;
  /** GET or POST /{env}/flows/{flowId}. */
  handle(req: IncomingMessage, res: ServerResponse, flowId: string): Promise<void>;
  /** GET /{env}/as/resume?flowId=… */
  resume(req: IncomingMessage, res: ServerResponse, requestUrl: URL): Promise<void>;
}

export function createFlows(setup: FlowsSetup): Flows {
  const { url, envId, provider } = setup;
  const base = `${url}/${envId}`;
  const flows = new Map<string, Flow>();
  const sessions = new Set<string>();

  function view(flow: Flow) {
    const self = { href: `${base}/flows/${flow.id}` };
    return {
      id: flow.id,
      status: flow.status,
      expiresAt: new Date(flow.expiresAt).toISOString(),
      resumeUrl: `${base}/as/resume?flowId=${flow.id}`,
      _links: flow.status === 'USERNAME_PASSWORD_REQUIRED' ? { self, 'usernamePassword.check': self } : { self },
    };
  }

  function find(flowId: string | null): Flow | undefined {
    const flow = flowId ? flows.get(flowId) : undefined;
    if (flow && flow.expiresAt <= Date.now()) {
      flows.delete(flow.id);
      return undefined;
    }
    return flow;
  }

  /** Sends the error and returns false unless the request carries the flow's ST cookie. */
  function checkSession(req: IncomingMessage, res: ServerResponse, flow: Flow): boolean {
    if (parseCookies(req.headers.cookie)[SESSION_COOKIE] === flow.session) return true;
    sendPlatformError(res, 400, 'INVALID_REQUEST', `The ${SESSION_COOKIE} cookie set by the authorize response is missing or belongs to another session.`);
    return false;
  }

  async function relay(from: Response, res: ServerResponse): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': from.headers.get('content-type') ?? 'text/plain' };
    const location = from.headers.get('location');
    if (location) headers.Location = location;
    res.writeHead(from.status, headers).end(Buffer.from(await from.arrayBuffer()));
  }

  async function start(req: IncomingMessage, res: ServerResponse, requestUrl: URL): Promise<void> {
    const authorize = new URL(requestUrl.pathname + requestUrl.search, url);
    authorize.searchParams.delete('response_mode');
    // No client cookies are forwarded: every pi.flow sign-on starts without an SSO session.
    // The replay is marked so the router hands it to oidc-provider, not back here (a pushed or
    // signed request still asks for pi.flow).
    const started = await fetch(authorize, { redirect: 'manual', headers: { accept: 'application/json', [FLOWS_REPLAY_HEADER]: '1' } });
    const location = started.headers.get('location');
    const uid = location ? new URL(location, url).pathname.match(setup.signonPattern)?.[1] : undefined;
    const resumeName = provider.cookieName('resume');
    const resumeSetCookies = started.headers.getSetCookie().filter((c) => c.startsWith(`${resumeName}=`) || c.startsWith(`${resumeName}.`));
    const resumePath = resumeSetCookies[0]?.match(/;\s*path=([^;]+)/i)?.[1];
    if (!uid || !resumePath) {
      // Not an interaction (e.g. an invalid request): pass oidc-provider's answer through.
      await relay(started, res);
      return;
    }
    await started.body?.cancel();

    const incoming = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const session = incoming && sessions.has(incoming) ? incoming : randomBytes(24).toString('base64url');
    sessions.add(session);
    const flow: Flow = {
      id: randomUUID(),
      status: 'USERNAME_PASSWORD_REQUIRED',
      uid,
      resumePath,
      resumeCookies: resumeSetCookies.map((c) => c.split(';')[0]).join('; '),
      session,
      expiresAt: Date.now() + setup.ttlSeconds * 1000,
    };
    flows.set(flow.id, flow);
    sendJson(res, 200, view(flow), {
      'Set-Cookie': `${SESSION_COOKIE}=${session}; Path=/${envId}; HttpOnly; SameSite=Lax`,
    });
  }

  async function check(req: IncomingMessage, res: ServerResponse, flow: Flow): Promise<void> {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== CHECK_CONTENT_TYPE.toLowerCase()) {
      sendPlatformError(res, 400, 'INVALID_REQUEST', `Content-Type must be ${CHECK_CONTENT_TYPE}`);
      return;
    }
    let body: { username?: unknown; password?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      sendPlatformError(res, 400, 'INVALID_REQUEST', 'The request body is not valid JSON');
      return;
    }
    if (flow.status !== 'USERNAME_PASSWORD_REQUIRED') {
      sendPlatformError(res, 400, 'INVALID_REQUEST', `Flow is ${flow.status}; usernamePassword.check is not allowed`);
      return;
    }
    const accountId = checkCredentials(body.username, body.password);
    if (!accountId) {
      sendPlatformError(res, 400, 'INVALID_DATA', 'The request could not be completed. One or more validation errors were in the request.', [
        { code: 'INVALID_VALUE', target: 'password', message: 'The provided username or password is incorrect.' },
      ]);
      return;
    }
    const interaction = await provider.Interaction.find(flow.uid);
    if (!interaction) {
      flows.delete(flow.id);
      sendPlatformError(res, 404, 'NOT_FOUND', 'The flow has expired.');
      return;
    }
    // What oidc-provider's interactionResult() does, minus its cookie lookup.
    interaction.result = await signedInResult(provider, interaction, accountId);
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    flow.status = 'COMPLETED';
    sendJson(res, 200, view(flow));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, flowId: string): Promise<void> {
    const flow = find(flowId);
    if (!flow) {
      sendPlatformError(res, 404, 'NOT_FOUND', `Unable to find flow with id ${flowId}`);
      return;
    }
    if (!checkSession(req, res, flow)) return;
    if (req.method === 'GET') sendJson(res, 200, view(flow));
    else if (req.method === 'POST') await check(req, res, flow);
    else sendPlatformError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on flows`);
  }

  async function resume(req: IncomingMessage, res: ServerResponse, requestUrl: URL): Promise<void> {
    const flowId = requestUrl.searchParams.get('flowId');
    const flow = find(flowId);
    if (!flow) {
      sendPlatformError(res, 404, 'NOT_FOUND', `Unable to find flow with id ${flowId ?? '(missing flowId)'}`);
      return;
    }
    if (!checkSession(req, res, flow)) return;
    if (flow.status !== 'COMPLETED') {
      sendPlatformError(res, 400, 'INVALID_REQUEST', `Flow is ${flow.status}; it cannot be resumed yet`);
      return;
    }
    flows.delete(flow.id); // a flow resumes once, like its authorization code is used once
    const resumed = await fetch(new URL(flow.resumePath, url), {
      redirect: 'manual',
      headers: { cookie: flow.resumeCookies, accept: 'application/json' },
    });
    const location = resumed.headers.get('location');
    if (resumed.status < 300 || resumed.status >= 400 || !location) {
      await relay(resumed, res);
      return;
    }
    await resumed.body?.cancel();
    const target = new URL(location, url);
    if ((req.headers.accept ?? '').includes('application/json')) {
      sendJson(res, 200, { id: flow.id, status: 'COMPLETED', authorizeResponse: Object.fromEntries(target.searchParams) });
    } else {
      res.writeHead(302, { Location: target.href, 'Cache-Control': 'no-store' }).end();
    }
  }

  return { start, handle, resume };
}
