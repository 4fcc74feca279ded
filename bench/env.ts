/**
 * What every bench runs the service with: logs quiet, loopback only, rate limits off (the load
 * is the point), password hashing cheap (sign-ups are set-up, not the measure), a fixed test
 * encryption key, and credits enough that no trader runs out during a run.
 */
export const BENCH_SERVICE_ENV = {
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  RATE_LIMIT_IP_MAX: '0',
  RATE_LIMIT_USER_MAX: '0',
  RATE_LIMIT_AUTH_MAX: '0',
  AUTH_ARGON2_MEMORY_KIB: '1024',
  AUTH_ARGON2_TIME_COST: '1',
  ENCRYPTION_KEYS: 'bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
  SIGNUP_GRANT_CREDITS: '100000000',
}
