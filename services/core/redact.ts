/**
 * The one redaction of tenantscope: every URL, target id, log line, error, metric label and
 * message that may carry a fleet or environment URL goes through it. It removes URL userinfo
 * (`user:password@`) and the values of password-like query parameters, and nothing else, so a
 * redacted URL still says which server it names.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]*@/gi;
const SECRET_PARAM = /([?&;](?:password|passwd|pwd|pass|secret|token|access_token|api[_-]?key|auth|sslpassword)=)[^&\s#'"<>]*/gi;

export function redact(text: string): string {
  return text.replace(USERINFO, '$1').replace(SECRET_PARAM, '$1***');
}

/** An error as it may be logged or shown: its type, redacted message and stack, and code; no other property (ioredis puts the AUTH command with its arguments on its errors). */
export function redactError(err: unknown): { type: string; message: string; stack?: string; code?: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: redact(String(err)) };
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: redact(err.message),
    ...(err.stack !== undefined && { stack: redact(err.stack) }),
    ...(typeof code === 'string' && { code }),
  };
}
