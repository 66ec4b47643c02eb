/**
 * Customers: a script tag `<prefix><id>` (default prefix `customer:`) names the customer
 * that owns a tenant; a tenant without one is its own customer. The tail records the id
 * (without the prefix) in the `customer` blob; billing and the overview group by it.
 */

export const DEFAULT_CUSTOMER_PREFIX = "customer:";

/**
 * A customer id: what fits in a script tag (no `,` or `&`, DESIGN.md) and in a SQL
 * literal without escaping. Letters, digits, `.`, `_`, `-`, 1–64 characters.
 */
export const CUSTOMER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isCustomerId(value: string): boolean {
  return CUSTOMER_ID_RE.test(value);
}

/** The tag prefix from a var: unset or blank means the default; it may not hold `,` or `&`. */
export function parseCustomerPrefix(value: string | undefined): { ok: true; value: string } | { ok: false; message: string } {
  if (value === undefined || value.trim() === "") return { ok: true, value: DEFAULT_CUSTOMER_PREFIX };
  const v = value.trim();
  if (/[,&\s]/.test(v) || v.length > 32) return { ok: false, message: "CUSTOMER_TAG_PREFIX must be at most 32 characters without spaces, commas or ampersands" };
  return { ok: true, value: v };
}

/** The tag that names a customer. */
export function customerTag(prefix: string, id: string): string {
  return `${prefix}${id}`;
}

/**
 * The customer id a script's tags name, or "" when none does (the tenant is then its
 * own customer). The first tag with the prefix and a valid id wins; an invalid id is
 * ignored rather than recorded, so nothing unvalidated ends up grouped and billed.
 */
export function customerFromTags(tags: unknown, prefix: string): string {
  if (!Array.isArray(tags)) return "";
  for (const tag of tags) {
    if (typeof tag !== "string" || !tag.startsWith(prefix)) continue;
    const id = tag.slice(prefix.length);
    if (isCustomerId(id)) return id;
  }
  return "";
}

/** The customer a row is billed to: its recorded customer, else the tenant itself. */
export function customerOf(customer: string, tenant: string): string {
  return customer === "" ? tenant : customer;
}
