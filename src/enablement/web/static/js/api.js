// The enablement API as the pages call it: a bearer token, one error shape, idempotent events.

/** An error body from the API ({error: {code, message, field, valid}}), or a network failure. */
export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    const error = (body && body.error) || {};
    super(error.message || `The server answered ${status}.`);
    this.status = status; // 0: the server could not be reached
    this.code = error.code || (status === 0 ? "network" : "http_error");
    this.field = error.field || null;
    this.valid = Array.isArray(error.valid) ? error.valid : [];
    this.retryAfter = retryAfter;
  }
}

/** A fresh idempotency key: one per user action, reused by that action's retries. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const RETRIES = 2;

export class Api {
  constructor(token, base = "") {
    this.token = token;
    this.base = base;
  }

  /** Call the API; resolves with the parsed JSON body (or the text, with `as: "text"`) and
   * rejects with an ApiError carrying the error body's code, field and valid values. */
  async request(method, path, body, { signal, keepalive = false, as = "json" } = {}) {
    const headers = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        keepalive,
        credentials: "omit",
        cache: "no-store",
      });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      const message = "Cannot reach enablement. Check your connection, then try again.";
      throw new ApiError(0, { error: { code: "network", message } });
    }
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw new ApiError(response.status, data, response.headers.get("Retry-After"));
    }
    return as === "text" ? response.text() : response.json().catch(() => null);
  }

  recommend(deal, signal) {
    return this.request("POST", "/v1/recommendations", deal, { signal });
  }

  shareLinks(dealId) {
    return this.request("GET", `/v1/share-links?deal_id=${encodeURIComponent(dealId)}`);
  }

  createShareLink(body) {
    return this.request("POST", "/v1/share-links", body);
  }

  taxonomy(signal) {
    return this.request("GET", "/v1/taxonomy", undefined, { signal });
  }

  /** A short-lived token for this key's own user (`role`: rep or marketer). */
  embedToken(body) {
    return this.request("POST", "/v1/embed-tokens", body);
  }

  /** One audit view (funnel, unused, health, coverage, demand, influence) as
   * {view, filters, summary, notes, columns, rows}; empty `params` are left out. */
  analytics(view, params, signal) {
    return this.request("GET", analyticsPath(view, params), undefined, { signal });
  }

  /** The same view as CSV text, every row. */
  analyticsCsv(view, params) {
    const path = analyticsPath(view, { ...params, format: "csv" });
    return this.request("GET", path, undefined, { as: "text" });
  }

  /** The experiments, newest first, as {items, next}. */
  experiments(signal) {
    return this.request("GET", "/v1/experiments", undefined, { signal });
  }

  /** One experiment with its `results` so far. */
  experiment(id, signal) {
    return this.request("GET", `/v1/experiments/${encodeURIComponent(id)}`, undefined, { signal });
  }

  /** Open tag suggestions, highest confidence first, as {items, next}: `params` may give
   * field, min_confidence, cursor and limit (empty ones are left out). */
  tagSuggestions(params, signal) {
    return this.request("GET", withQuery("/v1/tag-suggestions", params), undefined, { signal });
  }

  /** Accept (`how` "accept") or reject ("reject") one tag suggestion; resolves with the row. */
  decideTag(id, how) {
    return this.request("POST", `/v1/tag-suggestions/${encodeURIComponent(id)}:${how}`);
  }

  /** Accept several tag suggestions at once, all or nothing; resolves with {items}. */
  acceptTags(ids) {
    return this.request("POST", "/v1/tag-suggestions:accept", { ids });
  }

  /** Record one user action as an event. Retries (network errors, 5xx) reuse its key, so the
   * server stores it once however often it is sent. */
  async record(event) {
    const body = { idempotency_key: newKey(), ...event };
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.request("POST", "/v1/events", body, { keepalive: true });
      } catch (err) {
        const transient = err instanceof ApiError && (err.status === 0 || err.status >= 500);
        if (!transient || attempt >= RETRIES) throw err;
        await sleep(300 * 2 ** attempt);
      }
    }
  }
}

function analyticsPath(view, params = {}) {
  return withQuery(`/v1/analytics/${encodeURIComponent(view)}`, params);
}

/** `path` with `params` as its query string; empty values are left out. */
function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && String(value).trim() !== "") query.set(name, String(value).trim());
  }
  const suffix = query.toString();
  return `${path}${suffix ? `?${suffix}` : ""}`;
}
