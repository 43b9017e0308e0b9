// Starts GOV.UK Frontend's component JavaScript. A static file, not an inline script,
// so the Content Security Policy needs no nonce. Loaded as a module: browsers too old
// for modules keep the no-JavaScript versions of the components.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// The picker (record/picker.py): Enter in its search box searches with that picker's
// own Search button, rather than the form's first button.
for (const picker of document.querySelectorAll(".app-picker")) {
  const box = picker.querySelector("input[type=search]");
  const button = picker.querySelector("button[type=submit]");
  if (box && button) {
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        button.click();
      }
    });
  }
}

// After a search the page comes back with that picker's results: the search's message
// (nothing found, or too many) or else the first result takes the focus, so a keyboard
// or screen reader user carries on from there rather than from the top of the page.
const searched = document.querySelector(".app-picker[data-searched]");
if (searched && !document.querySelector(".govuk-error-summary")) {
  const target = searched.querySelector(".app-picker__none, input[type=radio]");
  if (target) {
    target.focus();
  }
}
