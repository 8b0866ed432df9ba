// A real OpenID provider for bpmnflow's security tests: npm `oidc-provider`, laid out and
// configured like a Keycloak realm, so that the tests meet the tokens production will see.
//
//   issuer          http://127.0.0.1:<PORT>/realms/<REALM>   (Keycloak's URL layout)
//   discovery       <issuer>/.well-known/openid-configuration
//   token endpoint  client_credentials (service accounts) and password (users) grants
//   access tokens   RS256 JWTs with Keycloak's claims: typ "Bearer", azp, preferred_username,
//                   realm_access.roles, resource_access.<client>.roles, groups (full paths),
//                   scope, sid, acr, email, name…; aud = the engine's client id
//
// Everything comes from the environment, written by tests/security/oidc_provider.py:
//   PORT, REALM, AUDIENCE, JWKS (the realm's private signing keys), CLIENTS, USERS (JSON).
// Prints "ready <issuer>" on stdout once it listens.

import * as http from 'node:http';
import * as crypto from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.PORT);
const realm = process.env.REALM || 'bpmnflow';
const audience = process.env.AUDIENCE || 'camunda-rest-api';
const jwks = JSON.parse(process.env.JWKS);
const clients = JSON.parse(process.env.CLIENTS);   // [{client_id, client_secret, roles, groups}]
const users = JSON.parse(process.env.USERS);       // {username: {password, roles, groups, ...}}
const prefix = `/realms/${realm}`;
const issuer = `http://127.0.0.1:${port}${prefix}`;
const RESOURCE = 'urn:bpmnflow:engine-rest';

const byClient = Object.fromEntries(clients.map((c) => [c.client_id, c]));

function keycloakClaims(token) {
  // What Keycloak writes into an access token, for a user or a client's service account.
  const clientId = token.clientId;
  const user = token.accountId ? users[token.accountId] : undefined;
  const who = user ?? byClient[clientId] ?? {};
  const name = token.accountId ?? `service-account-${clientId}`;
  const claims = {
    typ: 'Bearer',
    azp: clientId,
    sid: crypto.randomUUID(),
    acr: '1',
    'allowed-origins': ['/*'],
    realm_access: { roles: ['offline_access', 'uma_authorization', ...(who.roles ?? [])] },
    resource_access: {
      account: { roles: ['manage-account', 'view-profile'] },
      ...(who.client_roles ? { [audience]: { roles: who.client_roles } } : {}),
    },
    scope: 'openid profile email',
    email_verified: true,
    preferred_username: name,
  };
  if (who.groups) claims.groups = who.groups;
  if (user) {
    Object.assign(claims, {
      name: `${user.given_name ?? name} ${user.family_name ?? ''}`.trim(),
      given_name: user.given_name ?? name,
      family_name: user.family_name ?? '',
      email: `${name}@example.test`,
    });
  }
  return claims;
}

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: ['client_credentials', 'password'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid profile email',
        audience,
        accessTokenTTL: 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  formats: {
    customizers: {
      jwt(ctx, token, jwt) {
        Object.assign(jwt.payload, keycloakClaims(token));
        jwt.header = { typ: 'JWT' };
      },
    },
  },
});

// Keycloak's "Direct access grants" (resource owner password credentials), which
// oidc-provider leaves to the application: client authentication is the provider's own.
provider.registerGrantType("password", async (ctx) => {
  const { username, password } = ctx.oidc.params;
  const user = users[username];
  if (!user || user.password !== password) {
    throw new errors.InvalidGrant('Invalid user credentials');
  }
  const info = {
    scope: 'openid profile email', audience, accessTokenTTL: 300,
    accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } },
  };
  const token = new provider.AccessToken({
    accountId: username,
    client: ctx.oidc.client,
    gty: 'password',
    scope: 'openid profile email',
    resourceServer: new provider.ResourceServer(RESOURCE, info),
  });
  const value = await token.save();
  ctx.body = {
    access_token: value, expires_in: token.expiration, token_type: 'Bearer',
    scope: token.scope,
  };
}, ['username', 'password', 'scope']);

provider.on('server_error', (ctx, err) => process.stderr.write(`${err.stack}\n`));

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (!req.url.startsWith(prefix)) {
    res.writeHead(404).end();
    return;
  }
  req.originalUrl = req.url;
  req.url = req.url.slice(prefix.length) || '/';
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
