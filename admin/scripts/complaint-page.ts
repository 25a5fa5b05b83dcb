const reveal = document.getElementById('reveal-form');
reveal?.addEventListener('api:done', (e) => {
  const { name, phone, email } = (e as CustomEvent<{ name: string | null; phone: string | null; email?: string }>)
    .detail;
  document.getElementById('contact-value')!.textContent =
    `姓名：${name ?? '未填'}　手机：${phone ?? '未填'}${email ? `　邮箱：${email}` : ''}`;
});

// "合并到此" beside a neighbour opens the merge form with that complaint as the target.
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-merge-target]')) {
  button.addEventListener('click', () => {
    const form = document.getElementById('action-merge') as HTMLFormElement | null;
    if (!form) return;
    (form.elements.namedItem('targetId') as HTMLInputElement).value = button.dataset.mergeTarget!;
    (form.parentElement as HTMLDetailsElement).open = true;
    form.scrollIntoView({ behavior: 'smooth', block: 'center' });
  });
}
