// The new key is shown once, here; the server keeps only its hash.
document.getElementById('new-key')?.addEventListener('api:done', (e) => {
  const { key } = (e as CustomEvent<{ key: string }>).detail;
  document.getElementById('new-key-value')!.textContent = key;
  document.getElementById('new-key-result')!.classList.remove('hidden');
  (e.target as HTMLFormElement).reset();
});
