// Where the deal comes from: the sidebar's URL, or a postMessage from the CRM page framing it.
//
// URL:          /sidebar?token=…&deal_id=…&stage=…&vertical=…&persona=…&q=…&q=…&sent=a,b
// postMessage:  {type: "enablement:context", token: "enbt_…", deal: {deal_id, stage, vertical,
//                persona, competitor, products: [], questions: [], sent: [], k, external_only}}
// The sidebar tells its host {type: "enablement:ready"} once it listens, and
// {type: "enablement:session_expired"} when its token no longer works.

const LISTS = { q: "questions", product: "products", sent: "sent" };
const SINGLE = ["deal_id", "stage", "vertical", "persona", "competitor", "language"];

/** {token, deal} from URL parameters; repeatable ones (q, product, sent) also take commas for
 * `sent` and `product`. */
export function contextFromUrl(url) {
  const params = new URL(url).searchParams;
  const deal = {};
  for (const name of SINGLE) {
    const value = (params.get(name) || "").trim();
    if (value) deal[name] = value;
  }
  for (const [name, field] of Object.entries(LISTS)) {
    let values = params.getAll(name);
    if (name !== "q") values = values.flatMap((v) => v.split(","));
    values = values.map((v) => v.trim()).filter(Boolean);
    if (values.length) deal[field] = values;
  }
  if (params.has("k")) deal.k = Number.parseInt(params.get("k"), 10);
  if (["1", "true", "yes"].includes(params.get("external_only"))) deal.external_only = true;
  return { token: params.get("token") || null, deal };
}

/** The URL without its token, so it is not kept in the history or shown to anyone. */
export function withoutToken(url) {
  const clean = new URL(url);
  clean.searchParams.delete("token");
  return clean.toString();
}

/** Whether a message from `origin` may set the context: `sources` are the CSP frame-ancestors
 * the server was configured with ('self', https://crm.example.com, https://*.example.com). */
export function originAllowed(origin, sources, self) {
  let url;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return sources.some((source) => {
    if (source === "'self'") return origin === self;
    if (source === "'none'" || source.startsWith("'")) return false;
    if (/^[a-z][a-z0-9+.-]*:$/i.test(source)) return url.protocol === source.toLowerCase();
    const match = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?([^:/]+)(?::(\d+|\*))?$/i.exec(source);
    if (!match) return false;
    const [, scheme, wildcard, host, port] = match;
    if (url.protocol !== `${scheme.toLowerCase()}:`) return false;
    const name = url.hostname.toLowerCase();
    const wanted = host.toLowerCase();
    const hostOk = wildcard ? name.endsWith(`.${wanted}`) : name === wanted;
    const portOk = port === "*" || (url.port || defaultPort(url.protocol)) === (port || defaultPort(url.protocol));
    return hostOk && portOk;
  });
}

function defaultPort(protocol) {
  return { "http:": "80", "https:": "443" }[protocol] || "";
}

export function framed() {
  return window.parent !== window;
}

/** Post a message (never a secret) to the page framing the sidebar, if any. */
export function tellHost(message) {
  if (!framed()) return;
  const origins = window.location.ancestorOrigins;
  const target = origins && origins.length ? origins[0] : "*";
  window.parent.postMessage(message, target);
}

/** Call `onContext({token, deal})` for each valid context message from an allowed origin. */
export function listenToHost(sources, onContext) {
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !originAllowed(event.origin, sources, location.origin)) {
      return;
    }
    const data = event.data;
    if (!data || data.type !== "enablement:context" || typeof data.token !== "string") return;
    const deal = data.deal && typeof data.deal === "object" ? { ...data.deal } : {};
    onContext({ token: data.token, deal });
  });
  tellHost({ type: "enablement:ready" });
}

/** The configured frame ancestors, which the server renders into the page. */
export function frameAncestors() {
  const meta = document.querySelector('meta[name="enablement-frame-ancestors"]');
  return (meta ? meta.content : "'self'").split(/\s+/).filter(Boolean);
}
