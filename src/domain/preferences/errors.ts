/** Why an unsubscribe link or choice was refused; nothing was changed. */
export type UnsubscribeError =
  /** Malformed, forged or tampered with, or its message is gone, or it is mail that is not a preference. */
  | { code: 'invalid_link' }
  /** The email went to several people and the reader did not say (or mistyped) which address is theirs. */
  | { code: 'address_needed'; given: string | null }
  /** The one-click POST of an email sent to several people: it cannot tell whose choice it is. */
  | { code: 'one_click_several_recipients' }
