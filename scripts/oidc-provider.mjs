// A real OpenID Connect provider on 127.0.0.1 for the tests: panva's `oidc-provider` (an
// OpenID Certified implementation, installed from npm by scripts/install-tools.sh into
// .cache/tools/oidc), with its development sign-in and consent pages, one confidential
// client (the registry) and three people:
//   alice  groups ["platform-admins"]   bob  groups ["team-a"]   carol  no groups
//
//   node scripts/oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// Prints "listening on http://127.0.0.1:PORT" once it answers. Any password signs in.
import { pathToFileURL } from "node:url";
import path from "node:path";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!redirectUri) {
  console.error("usage: oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI");
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const module = path.join(root, ".cache/tools/oidc/node_modules/oidc-provider/lib/index.js");
const { default: Provider } = await import(pathToFileURL(module).href);

const people = {
  alice: { email: "alice@acme.example", email_verified: true, name: "Alice", groups: ["platform-admins"] },
  bob: { email: "bob@acme.example", email_verified: true, name: "Bob", groups: ["team-a"] },
  carol: { email: "carol@acme.example", email_verified: true, name: "Carol", groups: [] },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true, methods: ["S256"] },
  scopes: ["openid", "email", "profile", "groups"],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
  // The ID token carries the claims of the scopes granted (the registry reads no userinfo).
  conformIdTokenClaims: false,
  cookies: { keys: ["tfreg-test-cookie-key-0123456789"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const person = people[id];
    if (!person) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...person }) };
  },
});
provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${port}`);
});
