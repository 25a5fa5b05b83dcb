// The one-time password is shown once, here; the new user must change it at first login.
document.getElementById('new-user')?.addEventListener('api:done', (e) => {
  const { oneTimePassword } = (e as CustomEvent<{ oneTimePassword: string }>).detail;
  const box = document.getElementById('new-user-result')!;
  box.textContent = `账号已创建。一次性初始密码：${oneTimePassword}（只显示这一次，请当面或电话告知本人，首次登录须修改）`;
  box.classList.remove('hidden');
});
// A disabled box sends nothing; the API needs an explicit false to re-enable.
for (const form of document.querySelectorAll<HTMLFormElement>('form[data-method="PATCH"]')) {
  form.addEventListener(
    'submit',
    () => {
      const box = form.querySelector<HTMLInputElement>('input[name="disabled"]')!;
      box.value = String(box.checked);
      box.checked = true;
    },
    { capture: true },
  );
}

for (const form of document.querySelectorAll<HTMLFormElement>('form.reset-password')) {
  form.addEventListener('api:done', (e) => {
    const { oneTimePassword } = (e as CustomEvent<{ oneTimePassword: string }>).detail;
    form.querySelector('.otp')!.textContent = `新的一次性密码：${oneTimePassword}（只显示这一次）`;
  });
}
