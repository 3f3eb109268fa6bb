/**
 * PingOne's flows API: headless sign-on for test users (no browser). The documented sequence:
 *   1. GET  {as}/authorize?…&response_mode=pi.flow        → flow JSON (USERNAME_PASSWORD_REQUIRED)
 *      (for an application that needs PAR: POST {as}/par with those parameters first, then
 *       GET {as}/authorize?client_id=…&request_uri=…; a signed request object carries them for JAR)
 *   2. POST {env}/flows/{flowId}  usernamePassword.check   → COMPLETED
 *   3. GET  {as}/resume?flowId={flowId}                    → the authorization response (code)
 * The session cookies set in step 1 go back with steps 2 and 3. The password is sent once, to the
 * flows endpoint, and is never stored or logged.
 */
import { type AuthorizationPlan, type AuthorizationRequest, createAuthorizationRequest, validateAuthorizationResponse } from './authorize';
import type { Endpoints } from './endpoints';
import { isAllowedTransport } from './basics';
import { ExplorerError, invalidInput } from './errors';
import { type HttpResponse, type HttpSettings, describeBody, httpRequest, tryParseJson } from './http';
import { type OAuthCall, errorFromResponse } from './oauth';
import { redact, rememberSecrets } from './redact';

const CHECK = 'application/vnd.pingidentity.usernamePassword.check+json';

/**
 * A minimal cookie jar for one sign-in, scoped to the flows API's origin: it keeps cookies only
 * from answers of that origin and sends them only there. Name=value pairs, no attributes needed.
 */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly origin: string) {}
  take(res: HttpResponse, url: string): void {
    if (new URL(url).origin !== this.origin) return;
    for (const line of res.setCookies) {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(url: string): Record<string, string> {
    if (new URL(url).origin !== this.origin) return {};
    return this.cookies.size ? { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
}

interface Flow {
  id: string;
  status: string;
  resumeUrl?: string;
  _links?: Record<string, { href?: string }>;
}

function parseFlow(res: HttpResponse, what: string, secrets: string[]): Flow {
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res, what, secrets);
  const body = tryParseJson(res) as Partial<Flow> | undefined;
  if (!body || typeof body.id !== 'string' || typeof body.status !== 'string') {
    throw new ExplorerError(
      'invalid_response',
      `${what}: expected a flow object, got ${describeBody(res)}. Is this a PingOne environment with pi.flow enabled for the application?`,
      {
        status: res.status,
      },
    );
  }
  return body as Flow;
}

/**
 * A URL a flow answer points to (`usernamePassword.check`, `resumeUrl`), only if it is on the
 * flows API's own origin and over HTTPS (or plain HTTP to a loopback host): the password and the
 * session cookies go nowhere else.
 */
export function flowUrl(value: string, flowsBase: string, what: string): string {
  const base = new URL(flowsBase);
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    throw new ExplorerError('invalid_response', `The flow's ${what} is not a URL.`);
  }
  if (url.origin !== base.origin) {
    throw new ExplorerError(
      'invalid_response',
      `The flow's ${what} points to ${url.origin}, not to the flows API at ${base.origin}, so nothing was sent: the password and session cookies only go to the flows API.`,
    );
  }
  if (!isAllowedTransport(url)) {
    throw new ExplorerError('invalid_response', `The flow's ${what} must use https:// (got ${url.protocol}), so nothing was sent.`);
  }
  return url.href;
}

export interface FlowsSignInResult {
  code: string;
  request: AuthorizationRequest;
}

export async function flowsSignIn(
  endpoints: Endpoints,
  opts: {
    clientId: string;
    redirectUri: string;
    scope: string;
    username: string;
    password: string;
    http: HttpSettings;
    /**
     * How the authorization request goes out (the browser sign-in's planAuthorization decision),
     * with the client's authentication for the PAR endpoint and its key or secret for a request
     * object. Absent: the plain request.
     */
    authorization?: { call: OAuthCall; plan: AuthorizationPlan; now?: number };
  },
): Promise<FlowsSignInResult> {
  if (!endpoints.flowsBase) throw invalidInput('environmentId', 'Headless sign-in uses the PingOne flows API, which only PingOne environments have.');
  if (!opts.username) throw invalidInput('username', 'A username is required.');
  if (!opts.password) throw invalidInput('password', 'A password is required.');
  // Every message built from a server's answer is redacted against the password (core/redact).
  rememberSecrets(opts.password);
  const secrets = [opts.password];
  const flowsBase = endpoints.flowsBase;
  const jar = new CookieJar(new URL(flowsBase).origin);
  // pi.flow is an authorization parameter like the others: with PAR it is pushed (the authorize
  // request then carries only client_id and request_uri), with JAR it is inside the request object.
  const plan = opts.authorization?.plan ?? { par: false, jar: false };
  const call: OAuthCall = opts.authorization?.call ?? { client: { clientId: opts.clientId, authMethod: 'none' }, http: opts.http };
  const request = await createAuthorizationRequest(endpoints, call, {
    clientId: opts.clientId,
    redirectUri: opts.redirectUri,
    scope: opts.scope,
    extra: { response_mode: 'pi.flow' },
    plan,
    now: opts.authorization?.now,
  });

  const started = await httpRequest({ method: 'GET', url: request.url }, opts.http);
  jar.take(started, request.url);
  const early = started.header('location');
  if (started.status >= 300 && started.status < 400 && early) {
    // The server answered the authorization request at once, with the redirect a browser would
    // follow: an OAuth error (say, a request the application must push) or, rarely, a code.
    const code = validateAuthorizationResponse(new URL(early, request.url).searchParams, { state: request.state, issuer: endpoints.issuer });
    return { code, request };
  }
  let flow = parseFlow(started, 'Starting the sign-on flow', secrets);

  if (flow.status === 'USERNAME_PASSWORD_REQUIRED') {
    const href = flow._links?.['usernamePassword.check']?.href;
    const fallback = `${flowsBase}/flows/${encodeURIComponent(flow.id)}`;
    const check = flowUrl(typeof href === 'string' ? href : fallback, flowsBase, 'usernamePassword.check link');
    const checked = await httpRequest(
      {
        method: 'POST',
        url: check,
        headers: { 'Content-Type': CHECK, ...jar.header(check) },
        body: JSON.stringify({ username: opts.username, password: opts.password }),
      },
      opts.http,
    );
    jar.take(checked, check);
    if (checked.status === 400 || checked.status === 401) {
      const body = tryParseJson(checked) as { details?: Array<{ message?: string }>; message?: string } | undefined;
      const detail =
        body?.details
          ?.map((d) => d.message)
          .filter(Boolean)
          .join(' ') ||
        body?.message ||
        'the credentials were not accepted';
      throw new ExplorerError('access_denied', `Sign-on failed: ${redact(String(detail), secrets)}`, { status: checked.status });
    }
    flow = parseFlow(checked, 'Checking username and password', secrets);
  }
  if (flow.status !== 'COMPLETED') {
    throw new ExplorerError(
      'invalid_response',
      `The sign-on flow needs "${flow.status}", which headless sign-in cannot do (only username and password). Sign in in the browser instead.`,
    );
  }

  const resumeUrl = flowUrl(typeof flow.resumeUrl === 'string' ? flow.resumeUrl : `${flowsBase}/as/resume?flowId=${encodeURIComponent(flow.id)}`, flowsBase, 'resumeUrl');
  const resumed = await httpRequest({ method: 'GET', url: resumeUrl, headers: jar.header(resumeUrl) }, opts.http);
  let params: URLSearchParams;
  const location = resumed.header('location');
  if (resumed.status >= 300 && resumed.status < 400 && location) {
    params = new URL(location, resumeUrl).searchParams;
  } else if (resumed.status === 200) {
    const body = tryParseJson(resumed) as { authorizeResponse?: Record<string, unknown> } | undefined;
    if (!body?.authorizeResponse || typeof body.authorizeResponse !== 'object') {
      throw new ExplorerError('invalid_response', `Resuming the flow returned ${describeBody(resumed)} without an authorizeResponse.`);
    }
    params = new URLSearchParams(Object.entries(body.authorizeResponse).filter(([, v]) => typeof v === 'string') as Array<[string, string]>);
  } else {
    throw errorFromResponse(resumed, 'Resuming the sign-on flow', secrets);
  }
  const code = validateAuthorizationResponse(params, { state: request.state, issuer: endpoints.issuer });
  return { code, request };
}
