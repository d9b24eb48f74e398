// How each failure code should be handled, as data. Meta's numeric codes come from its published error
// code list; the symbolic ChatSend-style codes and the `session.*` codes are this project's convention.
// Every code is a string (Meta's numbers in decimal), so one table serves both providers.

export const FAILURE_CATEGORIES = [
  'transient',
  'rate_limit',
  'recipient',
  'policy',
  'configuration',
  'session',
  'unknown',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

/** now: resend at once · backoff: resend with growing delays · after_24h: not before a day · never. */
export const RETRY_ADVICE = ['now', 'backoff', 'after_24h', 'never'] as const;
export type RetryAdvice = (typeof RETRY_ADVICE)[number];

export interface FailureClassification {
  title: string;
  category: FailureCategory;
  retryable: boolean;
  retryAdvice: RetryAdvice;
  /** A person should look now: the account, the template or the session is broken, not one message. */
  alert: boolean;
}

export interface FailureCodeRow extends FailureClassification {
  code: string;
  /** Where the classification comes from: a documentation URL, or "operator practice" with a reason. */
  source: string;
}

const META_ERROR_CODES =
  'https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes';
const OUR_CONVENTION = 'wapipe convention for ChatSend-style symbolic codes (not a Meta code)';
const SESSION_CONVENTION = 'wapipe convention: ChatSend session.status reports, see CONTRACT.md';

type Row = [
  code: string,
  title: string,
  category: FailureCategory,
  advice: RetryAdvice,
  alert: boolean,
  source: string,
];

// Template errors (132xxx) are `configuration`: the template, or the parameters sent with it, is wrong,
// paused or disabled. Resending the same message fails the same way for every recipient until someone
// fixes the template, so they are not retryable and they alert.
const ROWS: readonly Row[] = [
  // Transient: Meta's own advice for these is "try again later".
  ['1', 'API unknown error', 'transient', 'backoff', false, META_ERROR_CODES],
  ['2', 'API service temporarily unavailable', 'transient', 'backoff', false, META_ERROR_CODES],
  ['131000', 'Something went wrong', 'transient', 'backoff', false, META_ERROR_CODES],
  ['131016', 'Service unavailable', 'transient', 'backoff', false, META_ERROR_CODES],
  ['131057', 'Business account in maintenance mode', 'transient', 'backoff', true, META_ERROR_CODES],
  // Rate limits: slow down and resend.
  ['4', 'API too many calls', 'rate_limit', 'backoff', false, META_ERROR_CODES],
  ['80007', 'WhatsApp Business Account rate limit hit', 'rate_limit', 'backoff', false, META_ERROR_CODES],
  ['130429', 'Cloud API throughput rate limit hit', 'rate_limit', 'backoff', false, META_ERROR_CODES],
  [
    '131056',
    'Too many messages to this recipient (pair rate limit)',
    'rate_limit',
    'backoff',
    false,
    META_ERROR_CODES,
  ],
  // Policy: Meta held the message back; resending soon makes it worse.
  ['131048', 'Spam rate limit hit (number quality)', 'policy', 'after_24h', true, META_ERROR_CODES],
  [
    '131049',
    'Not delivered to keep ecosystem engagement healthy',
    'policy',
    'after_24h',
    false,
    META_ERROR_CODES,
  ],
  [
    '130497',
    'Business account restricted from messaging this country',
    'policy',
    'never',
    true,
    META_ERROR_CODES,
  ],
  // Recipient: this recipient cannot get this message; resending the same message will not help.
  ['130472', "Recipient's number is part of an experiment", 'recipient', 'never', false, META_ERROR_CODES],
  ['131021', 'Recipient cannot be the sender', 'recipient', 'never', false, META_ERROR_CODES],
  ['131026', 'Message undeliverable', 'recipient', 'never', false, META_ERROR_CODES],
  [
    '131047',
    'More than 24 hours since the recipient last replied (send a template)',
    'recipient',
    'never',
    false,
    META_ERROR_CODES,
  ],
  ['131050', 'Recipient stopped marketing messages', 'recipient', 'never', false, META_ERROR_CODES],
  ['131051', 'Unsupported message type', 'recipient', 'never', false, META_ERROR_CODES],
  ['131052', "Could not download the user's media", 'recipient', 'never', false, META_ERROR_CODES],
  [
    '131053',
    'Media upload error (unsupported or unreadable media)',
    'recipient',
    'never',
    false,
    META_ERROR_CODES,
  ],
  [
    '130403',
    'Recipient not reachable (reported by some providers; not in Meta’s current list)',
    'recipient',
    'never',
    false,
    'operator practice: seen from relaying providers; treated like 131026',
  ],
  // Configuration and account: nothing will go out until someone fixes the setup.
  ['0', 'Authentication failed', 'configuration', 'never', true, META_ERROR_CODES],
  ['3', 'App lacks the capability or permission', 'configuration', 'never', true, META_ERROR_CODES],
  ['10', 'Permission denied', 'configuration', 'never', true, META_ERROR_CODES],
  ['100', 'Invalid parameter', 'configuration', 'never', false, META_ERROR_CODES],
  ['190', 'Access token expired or invalid', 'configuration', 'never', true, META_ERROR_CODES],
  ['200', 'API permission missing', 'configuration', 'never', true, META_ERROR_CODES],
  ['368', 'Temporarily blocked for policy violations', 'configuration', 'never', true, META_ERROR_CODES],
  ['131005', 'Access denied', 'configuration', 'never', true, META_ERROR_CODES],
  ['131008', 'Required parameter missing', 'configuration', 'never', false, META_ERROR_CODES],
  ['131009', 'Parameter value not valid', 'configuration', 'never', false, META_ERROR_CODES],
  ['131031', 'Business account locked', 'configuration', 'never', true, META_ERROR_CODES],
  ['131037', 'Display name needs approval', 'configuration', 'never', true, META_ERROR_CODES],
  ['131042', 'Business eligibility payment issue', 'configuration', 'never', true, META_ERROR_CODES],
  ['131045', 'Phone number certificate incorrect', 'configuration', 'never', true, META_ERROR_CODES],
  [
    '131062',
    'Business-scoped user id not supported for this message',
    'configuration',
    'never',
    false,
    META_ERROR_CODES,
  ],
  ['133010', 'Phone number not registered', 'configuration', 'never', true, META_ERROR_CODES],
  ['132000', 'Template parameter count mismatch', 'configuration', 'never', true, META_ERROR_CODES],
  ['132001', 'Template does not exist', 'configuration', 'never', true, META_ERROR_CODES],
  ['132005', 'Template text too long after parameters', 'configuration', 'never', true, META_ERROR_CODES],
  ['132007', 'Template format character policy violated', 'configuration', 'never', true, META_ERROR_CODES],
  ['132012', 'Template parameter format mismatch', 'configuration', 'never', true, META_ERROR_CODES],
  ['132015', 'Template is paused (low quality)', 'configuration', 'never', true, META_ERROR_CODES],
  ['132016', 'Template is disabled', 'configuration', 'never', true, META_ERROR_CODES],
  // Symbolic codes a ChatSend-style provider reports.
  ['RATE_LIMITED', 'Provider rate limit hit', 'rate_limit', 'backoff', false, OUR_CONVENTION],
  ['TIMEOUT', 'Provider timed out', 'transient', 'backoff', false, OUR_CONVENTION],
  ['INTERNAL_ERROR', 'Provider internal error', 'transient', 'backoff', false, OUR_CONVENTION],
  [
    'INVALID_RECIPIENT',
    'Recipient is not a valid WhatsApp user',
    'recipient',
    'never',
    false,
    OUR_CONVENTION,
  ],
  ['NOT_ON_WHATSAPP', 'Recipient is not on WhatsApp', 'recipient', 'never', false, OUR_CONVENTION],
  ['SESSION_DISCONNECTED', 'Session disconnected', 'session', 'backoff', true, OUR_CONVENTION],
  // Session states that stop sending. Messages can be resent once the session is back, but a person has
  // to act first (restart it, scan the QR code), hence backoff and alert.
  ['session.ERROR', 'Session in error', 'session', 'backoff', true, SESSION_CONVENTION],
  ['session.STOPPED', 'Session stopped', 'session', 'backoff', true, SESSION_CONVENTION],
  ['session.QR_REQUIRED', 'Session needs a QR code scan', 'session', 'backoff', true, SESSION_CONVENTION],
];

export const FAILURE_CODE_TABLE: readonly FailureCodeRow[] = ROWS.map(
  ([code, title, category, retryAdvice, alert, source]) => ({
    code,
    title,
    category,
    retryable: retryAdvice !== 'never',
    retryAdvice,
    alert,
    source,
  }),
);

const BY_CODE = new Map<string, FailureClassification>(
  FAILURE_CODE_TABLE.map((row) => [
    row.code,
    {
      title: row.title,
      category: row.category,
      retryable: row.retryable,
      retryAdvice: row.retryAdvice,
      alert: row.alert,
    },
  ]),
);

const TEMPLATE_FAMILY: FailureClassification = {
  title: 'Template error',
  category: 'configuration',
  retryable: false,
  retryAdvice: 'never',
  alert: true,
};

/**
 * An unlisted code is more likely new than permanent (the permanent ones Meta documents are listed), so it
 * is retryable with backoff; its `unknown` category keeps it visible in the failures report, where an
 * operator can add a row here. It does not alert on its own.
 */
const UNKNOWN: FailureClassification = {
  title: 'Unknown error',
  category: 'unknown',
  retryable: true,
  retryAdvice: 'backoff',
  alert: false,
};

/** Classifies any code string; never throws. Unlisted 132xxx codes are treated as template errors. */
export function classifyFailure(code: string): FailureClassification {
  const key = code.trim();
  const known = BY_CODE.get(key);
  if (known) return { ...known };
  if (/^132\d{3}$/.test(key)) return { ...TEMPLATE_FAMILY };
  return { ...UNKNOWN };
}

/** True when the table has a row for `code` (as opposed to the unknown fallback). */
export function isKnownFailureCode(code: string): boolean {
  return BY_CODE.has(code.trim());
}
