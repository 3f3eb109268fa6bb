// A programmatic stand-in for the user's browser: follows the sandbox's redirects with a cookie jar,
// fills in the sign-on form, and stops at the redirect that leaves the sandbox (the client's
// redirect_uri), which it returns without requesting it.

/** Minimal path-aware cookie jar for a single host. */
class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(setCookies: string[], requestUrl: URL): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const attr = (key: string) =>
        attributes
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith(`${key}=`))
          ?.slice(key.length + 1);
      const path = attr('path') || requestUrl.pathname.replace(/\/[^/]*$/, '') || '/';
      const expires = attr('expires');
      const removed = value === '' || attr('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
      const id = `${path}\n${name}`;
      if (removed) this.cookies.delete(id);
      else this.cookies.set(id, { value, path });
    }
  }

  header(requestUrl: URL): string {
    const path = requestUrl.pathname;
    return [...this.cookies.entries()]
      .filter(([, c]) => c.path === '/' || path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([id, c]) => `${id.split('\n')[1]}=${c.value}`)
      .join('; ');
  }
}

const SIGNON_PATH = /\/signon\/[^/]+$/;
const MAX_STEPS = 20;

export interface AuthorizeOptions {
  username?: string;
  password?: string;
  deny?: boolean;
}

export async function driveAuthorization(
  sandboxOrigin: string,
  authorizationUrl: string,
  credentials: { username: string; password: string },
  opts: AuthorizeOptions = {},
): Promise<string> {
  const jar = new CookieJar();
  let url = new URL(authorizationUrl);
  let form: URLSearchParams | undefined;

  for (let step = 0; step < MAX_STEPS; step++) {
    const cookie = jar.header(url);
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form?.toString(),
    });
    jar.store(res.headers.getSetCookie(), url);
    const location = res.headers.get('location');
    const submitted = form !== undefined;
    form = undefined;

    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== sandboxOrigin) return next.href;
      url = next;
      continue;
    }
    const text = await res.text();
    if (!submitted && res.status === 200 && SIGNON_PATH.test(url.pathname)) {
      form = opts.deny
        ? new URLSearchParams({ action: 'deny' })
        : new URLSearchParams({
            action: 'signon',
            username: opts.username ?? credentials.username,
            password: opts.password ?? credentials.password,
          });
      continue;
    }
    if (submitted && res.status === 401) throw new Error('Sign-on failed: invalid username or password');
    throw new Error(
      `authorize: unexpected HTTP ${res.status} from ${url.pathname}: ${text
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 300)}`,
    );
  }
  throw new Error(`authorize: more than ${MAX_STEPS} steps without reaching the redirect_uri`);
}
