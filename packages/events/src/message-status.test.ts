import { describe, expect, it } from 'vitest';
import { messageStatus } from './message-status.ts';

describe('messageStatus', () => {
  it('is pending when nothing was reported', () => {
    expect(messageStatus([])).toBe('pending');
  });

  it('is the highest of sent < delivered < read < played, whatever the order', () => {
    expect(messageStatus(['sent'])).toBe('sent');
    expect(messageStatus(['read', 'sent', 'delivered'])).toBe('read');
    expect(messageStatus(['played', 'read'])).toBe('played');
    expect(messageStatus(['delivered', 'sent', 'delivered'])).toBe('delivered');
  });

  it('is failed when the message failed and never reached delivered', () => {
    expect(messageStatus(['failed'])).toBe('failed');
    expect(messageStatus(['sent', 'failed'])).toBe('failed');
    expect(messageStatus(['failed', 'sent'])).toBe('failed');
  });

  it('lets a delivery on another device win over an earlier failure', () => {
    expect(messageStatus(['sent', 'failed', 'delivered'])).toBe('delivered');
    expect(messageStatus(['failed', 'read'])).toBe('read');
  });

  it('ignores statuses it does not know', () => {
    expect(messageStatus(['deleted', 'sent'])).toBe('sent');
    expect(messageStatus(['warning'])).toBe('pending');
  });
});
