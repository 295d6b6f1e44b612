/** Why an unsubscribe link or choice was refused; nothing was changed. */
export type UnsubscribeError =
  /** Malformed, forged or tampered with, or its message is gone, or it is mail that is not a preference. */
  { code: 'invalid_link' }
