/**
 * Test-only credentials. The tokens are in clear here because the tests log in with
 * them; the Worker only ever sees their SHA-256 in DASHBOARD_USERS, as in production.
 * auth.test.ts checks that each hash below is the SHA-256 of its token, and that
 * USERS is what ../.dev.vars binds as DASHBOARD_USERS.
 */
export const TOKENS = {
  support: "test-support-token-0123456789abcdef",
  billing: "test-billing-token-0123456789abcdef",
  operator: "test-operator-token-0123456789abcdef",
  scopedSupport: "test-scoped-support-token-0123456789",
  scopedBilling: "test-scoped-billing-token-0123456789",
  scopedOperator: "test-scoped-operator-token-012345678",
} as const;

export type TestUser = keyof typeof TOKENS;

export const USERS = [
  { user: "sam", role: "support", tokenSha256: "94b29d3517123d3fcb788e6732b2a39228504408e4958045ce9b234001fe1880" },
  { user: "bill", role: "billing", tokenSha256: "5a220e98b7a777040591e6c1c6cc4bd37930bdb94f3405b67c790de91349447f" },
  { user: "olga", role: "operator", tokenSha256: "653720f36b93ba9429b5d13edd74c359787b7138ffc17d77a564b947dd6adeb6" },
  { user: "alpha-support", role: "support", tenant: "alpha", tokenSha256: "2d1949fe8b067ae7fce9cbaad356033d14ee8a40afd57df605e55ba01cc22c1e" },
  { user: "beta-billing", role: "billing", tenant: "beta", tokenSha256: "98d3d072c26541af3274fe5bef0f3b0085882c121bbef7d459f18c6295912e95" },
  { user: "gamma-operator", role: "operator", tenant: "gamma", tokenSha256: "ef494016887f023836e5b60efe7cc1b33198955e2af4945f097b13efc882d2dd" },
] as const;
