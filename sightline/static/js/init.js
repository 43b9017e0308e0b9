// Starts GOV.UK Frontend's component JavaScript. A static file, not an inline script,
// so the Content Security Policy needs no nonce. Loaded as a module: browsers too old
// for modules keep the no-JavaScript versions of the components.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
