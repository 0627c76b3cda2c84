// A HubSpot-like deal page: its CRM card opens the sidebar by URL, the way a HubSpot UI
// extension's iframe action does, with the deal in URL parameters and the rep's token in `token`
// (minted by the extension's serverless function via POST /v1/embed-tokens). Already-sent
// assets (from the deal's emails) go in `sent`, so the sidebar marks them.
import { exampleSettings } from "../embed-host.js";

const SENT = ["faqs-security-faq"];
const { server, token } = exampleSettings();

function sidebarUrl() {
  const params = new URLSearchParams({
    token,
    deal_id: document.getElementById("deal-id").textContent.trim(),
    stage: document.getElementById("dealstage").value,
    vertical: document.getElementById("industry").value,
    sent: SENT.join(","),
  });
  params.append("q", document.getElementById("question").textContent.trim());
  return `${new URL(server).origin}/sidebar?${params}`;
}

const frame = document.createElement("iframe");
frame.title = "Recommended content for this deal";
frame.allow = "clipboard-write";
frame.src = sidebarUrl();
document.getElementById("sidebar").append(frame);
for (const id of ["dealstage", "industry"]) {
  document.getElementById(id).addEventListener("change", () => { frame.src = sidebarUrl(); });
}
