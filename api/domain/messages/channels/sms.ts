import { createHmac } from 'node:crypto';
import type { Channel } from './channel.ts';

/**
 * SMS through an HTTP gateway in the shape of China's commercial SMS services (阿里云短信, 腾讯云短信 and the like:
 * an approved template by its code, the values by name, our own id for the send). A small relay in front of the
 * provider's own API speaks this, so that no provider's SDK is built in:
 *
 *   POST SMS_GATEWAY_URL
 *   Content-Type: application/json
 *   X-Signature: hex HMAC-SHA256 of the exact body bytes, keyed with SMS_GATEWAY_SECRET
 *
 *   {"phone":"13800138000","templateCode":"SMS_REPORT_ACCEPTED",
 *    "params":{"date":"12月3日","category":"废气","township":"青溪镇","link":"https://…/track"},"outId":"42"}
 *
 * outId is the outbox row's id, the same on every try of one message, so the gateway (or the provider's own
 * OutId) can drop a repeat. Answer 200 with {"code":"OK","bizId":"…"} when accepted; any other code (with a
 * "message") or status is a failure, retried with backoff. The text is the provider's approved template: the
 * portal's own rendering is for the admin's view and the records only.
 */
export interface SmsConfig {
  url?: string;
  secret?: string;
  timeoutMs?: number;
}

export const SIGNATURE_HEADER = 'x-signature';

export const signBody = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('hex');

interface GatewayReply {
  code?: unknown;
  bizId?: unknown;
  message?: unknown;
}

/** The gateway channel, or null when SMS_GATEWAY_URL or SMS_GATEWAY_SECRET is not set. */
export function smsChannel(config: SmsConfig): Channel | null {
  if (!config.url || !config.secret) return null;
  const { url, secret } = config;
  const timeout = config.timeoutMs ?? 30_000;
  return {
    async send(m) {
      if (!m.smsTemplateCode) throw new Error('短信模板没有模板 CODE');
      const body = JSON.stringify({
        phone: m.recipient,
        templateCode: m.smsTemplateCode,
        params: m.params,
        outId: String(m.id),
      });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(body, secret) },
        body,
        signal: AbortSignal.timeout(timeout),
      });
      const text = await res.text();
      let reply: GatewayReply = {};
      try {
        reply = JSON.parse(text) as GatewayReply;
      } catch {
        /* not JSON: reported by status below */
      }
      if (!res.ok) throw new Error(`短信网关 HTTP ${res.status}${reply.message ? `：${String(reply.message)}` : ''}`);
      if (reply.code !== 'OK')
        throw new Error(
          `短信网关拒绝：${String(reply.code ?? '无 code')}${reply.message ? ` ${String(reply.message)}` : ''}`,
        );
      return String(reply.bizId ?? '').slice(0, 200);
    },
  };
}
