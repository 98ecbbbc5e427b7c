// The portal page. Built on the shared modules in /assets/lib.
import { html, render } from '/assets/lib/html.js';

render(html`<main><h1>portal</h1></main>`, document.getElementById('root'));
