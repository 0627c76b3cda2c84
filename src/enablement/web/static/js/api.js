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

  async request(method, path, body, { signal, keepalive = false } = {}) {
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
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(response.status, data, response.headers.get("Retry-After"));
    }
    return data;
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
