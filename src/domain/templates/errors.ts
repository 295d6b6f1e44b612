import type { ScenarioName } from '../scenarios/catalogue.ts'
import type { NotAllowed } from '../staff/permissions.ts'
import type { TemplateFault } from './sandbox.ts'

export type TemplateError =
  | NotAllowed
  | { code: 'unknown_scenario'; scenario: string }
  /** The template would not parse, names a placeholder its scenario does not offer, or fails to render. Nothing was saved or sent. */
  | { code: 'invalid_template'; scenario: ScenarioName; faults: TemplateFault[] }
  /** The preview named a patron the library does not have. */
  | { code: 'patron_not_found'; username: string }
  /** A test goes only to an email address: the staff member's own. */
  | { code: 'invalid_address'; address: string }
