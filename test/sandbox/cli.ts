// Starts the sandbox authorization server for demos and manual testing:
//   node out/test/sandbox/cli.js [--port N]     (or SANDBOX_PORT=N; default 0 = any free port)
// Prints a readable summary plus one machine-readable line `SANDBOX_READY {json}` for scripts, and
// shuts down cleanly on SIGINT/SIGTERM.
import { startSandbox, type Sandbox, type SandboxClient } from './index';

function parsePort(argv: string[], env: NodeJS.ProcessEnv): number {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith('--port='))?.slice('--port='.length) ?? env.SANDBOX_PORT);
  if (raw === undefined || raw === '') return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${raw}`);
  return port;
}

function describe(sb: Sandbox): string {
  const client = (name: string, c: SandboxClient) =>
    [
      `  ${name}`,
      `    client_id      ${c.clientId}`,
      `    client_secret  ${c.clientSecret ?? '(none, public client)'}`,
      `    auth method    ${c.authMethod}`,
      `    grant types    ${c.grantTypes.join(', ')}`,
      `    scopes         ${c.scopes}`,
      ...(c.redirectUris.length ? [`    redirect URIs  ${c.redirectUris.join(', ')}  (any port)`] : []),
    ].join('\n');
  const { worker } = sb.clients;
  return [
    'PingOne sandbox authorization server',
    `  base URL (auth base)   ${sb.url}`,
    `  environment ID         ${sb.envId}`,
    `  PingOne issuer         ${sb.pingone.issuer}`,
    `  PingOne discovery      ${sb.pingone.issuer}/.well-known/openid-configuration`,
    `  PingFederate issuer    ${sb.pingfederate.issuer}`,
    `  PingFederate discovery ${sb.pingfederate.issuer}/.well-known/openid-configuration`,
    `  generic OIDC issuer    ${sb.oidc.issuer}  (trailing slash; errors without a body)`,
    `  management API         ${sb.management.apiBase}  (PingOne-shaped; Browse Tenant with the worker)`,
    '',
    'PingOne clients',
    client('worker', sb.clients.worker),
    client('web', sb.clients.web),
    client('post', sb.clients.post),
    client('native', sb.clients.native),
    client('workerLimited', sb.clients.workerLimited),
    '',
    'PingFederate clients',
    client('pfWorker', sb.clients.pfWorker),
    client('pfWeb', sb.clients.pfWeb),
    '',
    'Generic OpenID provider client',
    client('oidcWeb', sb.clients.oidcWeb),
    '',
    'Demo user',
    `  username ${sb.user.username}`,
    `  password ${sb.user.password}`,
    `  sub      ${sb.user.sub}`,
    '',
    'Try it (client credentials):',
    `  curl -s -u '${worker.clientId}:${worker.clientSecret}' -d grant_type=client_credentials -d 'scope=${worker.scopes}' ${sb.pingone.issuer}/token`,
    '',
    'Press Ctrl+C to stop.',
  ].join('\n');
}

async function main(): Promise<void> {
  const sb = await startSandbox({ port: parsePort(process.argv.slice(2), process.env), quiet: false });
  console.log(describe(sb));
  console.log(
    `SANDBOX_READY ${JSON.stringify({
      url: sb.url,
      port: sb.port,
      envId: sb.envId,
      pingone: sb.pingone,
      pingfederate: sb.pingfederate,
      clients: sb.clients,
      user: sb.user,
    })}`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping sandbox`);
    void sb.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
