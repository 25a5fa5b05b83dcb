/** One message as a channel sends it; the same id, and so the same Message-ID or outId, on every try. */
export interface Outgoing {
  id: number;
  recipient: string;
  subject: string;
  text: string;
  params: Record<string, string>;
  smsTemplateCode: string | null;
  /** For e-mail: `<outbox-{id}.{hash}@host>`, the same on every try (worker.ts). */
  messageId: string;
}

/** Sends one message; resolves with the provider's id for it, or throws with a reason the admin may read. */
export interface Channel {
  send(message: Outgoing): Promise<string>;
  close?(): void;
}
