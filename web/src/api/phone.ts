// The calls of Admin → Phone numbers: tenants' SIP trunks and their numbers
// (internal/voice/phone, docs/voice.md "Phone numbers").
import { request } from '../api';

/** PhoneNumber is one number a trunk brings in and where its calls go. */
export interface PhoneNumber {
  number: string;
  queue_id: string;
  calendar_id?: string;
  /** menu is the keypad menu's JSON (internal/voice/ivr); absent or null for none. */
  menu?: unknown;
}

/** PhoneTrunk is a SIP trunk as the API shows it: never its password. */
export interface PhoneTrunk {
  id: string;
  name: string;
  provider: string;
  transport: string;
  username: string;
  password_set: boolean;
  register: boolean;
  accept_from: string[];
  numbers: PhoneNumber[];
  created_at: string;
  updated_at: string;
}

/** PhoneTrunkInput is what the form sends; without password the stored one stays. */
export interface PhoneTrunkInput {
  name: string;
  provider: string;
  transport: string;
  username: string;
  password?: string;
  register: boolean;
  accept_from: string[];
  numbers: PhoneNumber[];
}

const enc = encodeURIComponent;

/** phoneApi lists the phone page's calls. */
export const phoneApi = {
  trunks: async () => (await request<{ items: PhoneTrunk[] }>('GET', '/api/v1/phone/trunks')).items,
  createTrunk: (body: PhoneTrunkInput, idempotencyKey: string) => request<PhoneTrunk>('POST', '/api/v1/phone/trunks', { body, idempotencyKey }),
  updateTrunk: (id: string, body: PhoneTrunkInput) => request<PhoneTrunk>('PUT', `/api/v1/phone/trunks/${enc(id)}`, { body }),
  deleteTrunk: (id: string) => request<void>('DELETE', `/api/v1/phone/trunks/${enc(id)}`),
};
