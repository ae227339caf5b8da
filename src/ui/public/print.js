// The print button on slips and card sheets (no inline script: the page runs under a strict CSP).
document.getElementById('print')?.addEventListener('click', () => window.print());
