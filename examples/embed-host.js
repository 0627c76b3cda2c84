// The host side of the enablement sidebar's embedding contract, as a CRM component would do it.
//
// 1. The CRM's server trades its API key for a short-lived token for the rep in view
//    (POST /v1/embed-tokens); the key never reaches the browser.
// 2. The page frames {server}/sidebar and, when the sidebar says {type: "enablement:ready"},
//    posts {type: "enablement:context", token, deal} to the sidebar's origin only.
// 3. When the deal changes, it posts the context again; when the sidebar says
//    {type: "enablement:session_expired"}, the page fetches a new token and posts again.

/** Frame the sidebar in `container` and keep it fed with `deal`; returns {update(deal)}. */
export function embedSidebar({ container, server, token, deal, onSessionExpired }) {
  const origin = new URL(server).origin;
  const iframe = document.createElement("iframe");
  iframe.title = "Recommended content for this deal";
  iframe.allow = "clipboard-write"; // the sidebar's "Copy link" button
  iframe.src = `${origin}/sidebar`;
  let ready = false;
  let current = { token, deal };

  const post = () => {
    iframe.contentWindow.postMessage({ type: "enablement:context", ...current }, origin);
  };
  window.addEventListener("message", (event) => {
    if (event.origin !== origin || event.source !== iframe.contentWindow) return;
    if (event.data && event.data.type === "enablement:ready") {
      ready = true;
      post();
    } else if (event.data && event.data.type === "enablement:session_expired" && onSessionExpired) {
      onSessionExpired();
    }
  });
  container.append(iframe);
  return {
    iframe,
    update(next) {
      current = { ...current, ...next };
      if (ready) post();
    },
  };
}

/** The enablement server and token this example was opened with (?server=…&token=…). */
export function exampleSettings() {
  const params = new URLSearchParams(location.search);
  return {
    server: params.get("server") || "http://127.0.0.1:8000",
    token: params.get("token") || "",
  };
}
