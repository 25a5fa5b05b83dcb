// After a draw, open its record: the result, the seed and how to check it.
document.getElementById('draw-form')?.addEventListener('api:done', (e) => {
  const { id } = (e as CustomEvent<{ id: number }>).detail;
  location.assign(`/admin/draws/${id}`);
});
