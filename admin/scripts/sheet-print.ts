// The 交办单's print button (CSP allows no inline handler).
document.getElementById('print')?.addEventListener('click', () => window.print());
export {};
