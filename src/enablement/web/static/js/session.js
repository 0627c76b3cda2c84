// The dashboard's sign-in: a token from ?token= (taken out of the address bar at once) or pasted
// into the form, kept in this tab's sessionStorage only. A pasted API key is exchanged for an
// 8-hour marketer token, so the long-lived key is never stored by the browser.

import { Api, ApiError } from "./api.js";

const KEY = "enablement.dashboard.token";
const TOKEN_PREFIX = "enbt_";
const TOKEN_TTL_SECONDS = 8 * 3600;

/** Move a ?token= from the address bar (and history) into sessionStorage. */
export function adoptTokenFromUrl() {
  const url = new URL(location.href);
  const token = (url.searchParams.get("token") || "").trim();
  if (!url.searchParams.has("token")) return;
  url.searchParams.delete("token");
  history.replaceState(history.state, "", url.toString());
  if (token) remember(token);
}

export function storedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the user signs in again on each load
  }
}

function remember(token) {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // storage disabled: the token lives in memory for this page only
  }
  memory = token;
}

let memory = null;

export function currentToken() {
  return storedToken() || memory;
}

export function forget() {
  memory = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing was stored
  }
}

/** Sign in with a pasted secret: a token is kept as it is, a key is exchanged for a marketer
 * token. Resolves with the token; rejects with an ApiError (401: not valid; 403: the key's
 * role is too low). */
export async function signIn(secret) {
  const value = secret.trim();
  if (!value) throw new ApiError(400, { error: { message: "Paste an API key or a token." } });
  if (value.startsWith(TOKEN_PREFIX)) {
    remember(value);
    return value;
  }
  const issued = await new Api(value).embedToken({ role: "marketer", ttl_seconds: TOKEN_TTL_SECONDS });
  remember(issued.token);
  return issued.token;
}
