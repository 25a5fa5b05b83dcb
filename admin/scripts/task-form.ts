// The task form's checklists: only the chosen type's is shown (task-form.css does that without
// this script) and only its lines are sent; the others' ticks wait, disabled, in case the type
// changes back.

const form = document.getElementById('task-form') as HTMLFormElement | null;

function showChosen() {
  if (!form) return;
  const chosen = form.querySelector<HTMLInputElement>('input[name="type"]:checked')?.value;
  for (const list of form.querySelectorAll<HTMLFieldSetElement>('fieldset.type-checklist')) {
    const on = list.dataset.type === chosen;
    list.hidden = !on;
    for (const input of list.querySelectorAll('input')) input.disabled = !on;
  }
  form.querySelector<HTMLElement>('.choose-type')?.toggleAttribute('hidden', !!chosen);
}

form?.addEventListener('change', (e) => {
  if ((e.target as HTMLInputElement).name === 'type') showChosen();
});
showChosen();
