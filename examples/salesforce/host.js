// A Lightning-like opportunity page: the fields a Lightning Web Component would read from the
// record (stage, industry, contact role, notes) are posted to the sidebar as the deal context.
import { embedSidebar, exampleSettings } from "../embed-host.js";

const STAGES = [
  "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
  "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
  "Negotiation/Review", "Closed Won",
];
let stage = "Needs Analysis";

function deal() {
  const questions = document.getElementById("questions").value.split("\n")
    .map((q) => q.trim()).filter(Boolean);
  return {
    deal_id: document.getElementById("opportunity-id").textContent.trim(),
    stage,
    vertical: document.getElementById("industry").value,
    persona: document.getElementById("persona").value,
    questions,
  };
}

function drawPath(onPick) {
  const path = document.getElementById("path");
  path.replaceChildren(...STAGES.map((name) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = name;
    if (name === stage) button.setAttribute("aria-current", "step");
    button.addEventListener("click", () => onPick(name));
    item.append(button);
    return item;
  }));
}

const { server, token } = exampleSettings();
const sidebar = embedSidebar({
  container: document.getElementById("sidebar"),
  server,
  token,
  deal: deal(),
  onSessionExpired: () => {
    // A real component would call its Apex controller, which POSTs /v1/embed-tokens.
    document.getElementById("sidebar").dataset.expired = "true";
  },
});
const pick = (name) => {
  stage = name;
  drawPath(pick);
  sidebar.update({ deal: deal() });
};
drawPath(pick);
document.getElementById("apply").addEventListener("click", () => sidebar.update({ deal: deal() }));
