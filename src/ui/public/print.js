// The print button on slips and card sheets (no inline script: the page runs under a strict CSP).
// Shown inside the kiosk (a frame), the kiosk's own bar has the print button: this one is hidden.
document.getElementById('print')?.addEventListener('click', () => window.print());
if (window.top !== window) for (const el of document.querySelectorAll('.no-print')) el.hidden = true;
