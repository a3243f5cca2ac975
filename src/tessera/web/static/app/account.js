// The account page: API tokens listed by name and prefix, made (the key shown once, with a copy button) and revoked.

import { del, get, post } from "./api.js";
import { $, clear, h, showError, toast } from "./dom.js";

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "never");

async function draw() {
  const body = $("#tokens");
  clear(body);
  const tokens = await get("/api/current-user/tokens");
  if (!tokens.length) body.append(h("tr", {}, h("td", { colspan: 6, class: "muted", text: "No tokens." })));
  for (const token of tokens)
    body.append(
      h(
        "tr",
        { dataset: { id: token.id } },
        h("td", { text: token.name || "(unnamed)" }),
        h("td", {}, h("code", { text: `${token.prefix}…` })),
        h("td", { text: token.kind }),
        h("td", { text: when(token.created_at) }),
        h("td", { text: when(token.expires_at) }),
        h(
          "td",
          {},
          h("button", {
            type: "button",
            class: "danger",
            text: "Revoke",
            "aria-label": `Revoke ${token.name || token.prefix}`,
            onclick: async () => {
              try {
                await del(`/api/current-user/tokens/${token.id}`);
                toast("Token revoked.");
                await draw();
              } catch (error) {
                showError($("#token-error"), error);
              }
            },
          }),
        ),
      ),
    );
}

$("#token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("#token-error").hidden = true;
  try {
    const made = await post("/api/current-user/tokens", { name: $("#token-name").value.trim() });
    $("#token-value").textContent = made.token;
    $("#token-once").hidden = false;
    $("#token-name").value = "";
    await draw();
  } catch (error) {
    showError($("#token-error"), error);
  }
});

$("#copy-token").addEventListener("click", async () => {
  const value = $("#token-value").textContent;
  try {
    await navigator.clipboard.writeText(value);
    toast("Copied.");
  } catch {
    const range = document.createRange(); // without clipboard permission: select it for Ctrl+C
    range.selectNodeContents($("#token-value"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    toast("Press Ctrl+C to copy.");
  }
});

draw().catch((error) => showError($("#token-error"), error));
