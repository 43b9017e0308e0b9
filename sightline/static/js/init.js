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
