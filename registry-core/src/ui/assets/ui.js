// tfreg's UI works without this file; it adds search as you type, copy buttons and the
// version switcher's automatic submit.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Select and copy";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
  }
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  const input = document.querySelector("input[data-live]");
  const results = document.getElementById("results");
  if (!input || !results) return;
  let timer;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = input.value.trim();
      const mine = ++asked;
      const url = query ? `${input.dataset.live}?partial=1&q=${encodeURIComponent(query)}` : `${input.dataset.live}?partial=1`;
      const answer = await fetch(url, { credentials: "same-origin" });
      if (mine === asked && answer.ok) results.innerHTML = await answer.text();
    }, 150);
  });
});
