// The page's side of the work app (admin/offline/service-worker.ts): registers the service worker, asks it to keep
// this account's open work on the phone, and has it delete everything at logout.
import '../styles/offline.css';
import { SERVICE_WORKER_PATH, SERVICE_WORKER_SCOPE } from '../offline/app-identity.ts';
import type { OfflineMessage } from '../offline/messages.ts';

// Service workers need a secure context: https, or localhost while developing.
const supported = window.isSecureContext && 'serviceWorker' in navigator;

/** On every back-office page: the worker, and (signed in, online) a refresh of the pages kept offline. */
export function startOfflineApp() {
  if (!supported) return;
  navigator.serviceWorker.register(SERVICE_WORKER_PATH, { scope: SERVICE_WORKER_SCOPE }).catch(() => undefined);
  // The layout names the account's page cache when the account keeps its work offline (api/domain/shared/roles.ts).
  const user = document.body.dataset.offlineUser;
  if (!user || !navigator.onLine) return;
  void navigator.serviceWorker.ready.then((registration) =>
    registration.active?.postMessage({ type: 'refresh', user } satisfies OfflineMessage),
  );
}

/**
 * Before logout: the worker stops any refresh and deletes every cache, then says so (waited for up to 3 s); the page
 * deletes them too, in case no worker answered. IndexedDB is left alone: the upload queue may hold unsent evidence.
 */
export async function forgetOfflinePages(): Promise<void> {
  if (!supported) return;
  const registration = await navigator.serviceWorker.getRegistration(SERVICE_WORKER_SCOPE);
  const worker = registration?.active;
  if (worker)
    await new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(resolve, 3000);
      channel.port1.onmessage = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.postMessage({ type: 'forget' } satisfies OfflineMessage, [channel.port2]);
    });
  if ('caches' in window) for (const name of await caches.keys()) await caches.delete(name);
}
