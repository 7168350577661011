// A real OpenID Connect provider on 127.0.0.1 for the tests: panva's `oidc-provider` (an
// OpenID Certified implementation, installed from npm by scripts/install-tools.sh into
// .cache/tools/oidc), with its development sign-in and consent pages, one confidential
// client (the registry) and three people:
//   alice  groups ["platform-admins"]   bob  groups ["team-a"]   carol  no groups
//
// It also stands in for CI platforms' token services, which mint a job's OIDC token (a JWT
// signed with the provider's keys, through its client credentials grant): GitHub Actions'
// `ACTIONS_ID_TOKEN_REQUEST_URL` is `/_ci/token?audience=AUD` with the job as the bearer
// token (`github-tag` a tag's release workflow, `github-branch` a branch's), and a GitLab CI job's
// `id_tokens` come from the same route for `gitlab-tag`. The claims are shaped from GitHub's
// and GitLab's documentation of their OIDC tokens.
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

const issuer = `http://127.0.0.1:${port}`;
const github = (ref) => ({
  sub: `repo:acme/terraform-aws-network:ref:${ref}`,
  repository: "acme/terraform-aws-network", repository_owner: "acme", ref,
  ref_type: ref.startsWith("refs/tags/") ? "tag" : "branch", workflow: "release",
  job_workflow_ref: `acme/terraform-aws-network/.github/workflows/release.yml@${ref}`,
  environment: "production", event_name: "push", runner_environment: "github-hosted",
});
const jobs = {
  "github-tag": github("refs/tags/v1.1.0"),
  "github-branch": github("refs/heads/main"),
  "gitlab-tag": {
    sub: "project_path:acme/terraform-aws-network:ref_type:tag:ref:v1.1.0",
    project_path: "acme/terraform-aws-network", namespace_path: "acme", ref: "v1.1.0",
    ref_type: "tag", ref_protected: "true", pipeline_source: "push", environment: "production",
  },
};
const ciSecret = (job) => `ci-secret-${job}`;

const provider = new Provider(issuer, {
  clients: [
    ...Object.keys(jobs).map((job) => ({
      client_id: job,
      client_secret: ciSecret(job),
      redirect_uris: [],
      grant_types: ["client_credentials"],
      response_types: [],
      token_endpoint_auth_method: "client_secret_basic",
    })),
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
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A job asks for `urn:tfreg:AUD`: a JWT whose `aud` is AUD, living 5 minutes.
      async getResourceServerInfo(ctx, resource) {
        if (!resource.startsWith("urn:tfreg:")) throw new Error("unknown resource");
        return {
          scope: "", audience: resource.slice("urn:tfreg:".length), accessTokenTTL: 300,
          accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } },
        };
      },
    },
  },
  formats: {
    customizers: {
      async jwt(ctx, token, jwt) {
        const claims = jobs[token.clientId];
        if (claims) Object.assign(jwt.payload, claims);
      },
    },
  },
  async findAccount(ctx, id) {
    const person = people[id];
    if (!person) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...person }) };
  },
});
// The CI platforms' token service: the job (the bearer token) gets its OIDC token for AUD.
provider.use(async (ctx, next) => {
  if (ctx.path !== "/_ci/token") return next();
  const job = (ctx.get("authorization").match(/^bearer (.+)$/i) || [])[1];
  const audience = ctx.query.audience || "tfreg";
  if (!jobs[job]) {
    ctx.status = 401;
    ctx.body = { message: "not a job" };
    return undefined;
  }
  const answer = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${job}:${ciSecret(job)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", resource: `urn:tfreg:${audience}` }),
  });
  const body = await answer.json();
  ctx.status = answer.status;
  ctx.body = answer.ok ? { count: 1, value: body.access_token } : body;
  return undefined;
});
provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${port}`);
});
