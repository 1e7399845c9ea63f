// The live consoles (duty, fleet, "Gọi cán bộ"): htmx and its server-sent
// events extension fetch the server-rendered fragments again when a stream
// says something changed. This script only sets htmx up for the pages'
// Content-Security-Policy and a shared screen, marks whether a stream is
// connected (the page's CSS shows the words the server wrote for each
// state) and plays a stream's arrival sound (the audio element inside its
// sse-connect element, or the page's #arrival) when the stream says
// something arrived. It holds no labels, statuses or workflow.
"use strict";
(function () {
  htmx.config.includeIndicatorStyles = false; // an inline style, which the CSP forbids
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  htmx.config.historyEnabled = false; // nothing of a shared console is kept in the browser

  const mark = (state) => (e) => {
    const source = e.target.closest("[sse-connect]");
    if (source) source.dataset.live = state;
  };
  document.addEventListener("htmx:sseOpen", mark("on"));
  document.addEventListener("htmx:sseError", mark("off"));
  document.addEventListener("htmx:sseMessage", (e) => {
    if (!e.detail || e.detail.type !== "arrived") return;
    const source = e.target.closest("[sse-connect]");
    const sound = (source && source.querySelector("audio")) || document.getElementById("arrival");
    if (!sound) return;
    if (source) source.dataset.rang = String(Number(source.dataset.rang || 0) + 1);
    sound.currentTime = 0;
    sound.play().catch(() => { /* the browser allows no sound before a click */ });
  });
})();
