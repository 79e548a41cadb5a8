// panva's oidc-provider (OpenID certified), configured like Microsoft's identity platform for a
// public desktop client: PKCE S256 required, refresh tokens that rotate, Graph scopes in short and
// long form, and Microsoft's paths. Prints `listening on URL` and serves until killed.
// Usage: node oidc-provider.mjs CLIENT_ID [GRAPH_BASE]
// GRAPH_BASE adds the scopes in that resource's long form too (a test's stand-in for Graph).
import http from "node:http";

import Provider from "oidc-provider";

const clientId = process.argv[2] ?? "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const graphScopes = [
  "User.Read", "User.Read.All", "Team.ReadBasic.All", "Channel.ReadBasic.All",
  "ChannelMessage.Send", "Chat.Create", "Chat.ReadWrite",
];
const graphBases = ["https://graph.microsoft.com", ...(process.argv[3] ? [process.argv[3]] : [])];
const resourceScopes = [...graphScopes, ...graphBases.flatMap((base) => graphScopes.map((s) => `${base}/${s}`))];

const server = http.createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    application_type: "native",
    token_endpoint_auth_method: "none",
    redirect_uris: ["http://localhost/"],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  }],
  routes: {
    authorization: "/organizations/oauth2/v2.0/authorize",
    token: "/organizations/oauth2/v2.0/token",
  },
  scopes: ["openid", "offline_access", "profile"],
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => "https://graph.microsoft.com",
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: resourceScopes.join(" "),
        audience: "https://graph.microsoft.com",
        accessTokenFormat: "opaque",
      }),
    },
  },
  // Microsoft issues refresh tokens for offline_access without prompt=consent.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, name: id, preferred_username: id }),
  }),
  ttl: { AccessToken: 3600, AuthorizationCode: 600, RefreshToken: 90 * 24 * 3600 },
});
server.on("request", provider.callback());
console.log(`listening on ${issuer}`);
