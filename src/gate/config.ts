// The entry and exit rules a site configures (defaults follow the practice documents).
import { Block, Section, type Static, Type } from '../config/typebox.js';

const TimeWindow = Block({
  days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { description: 'Days of week, 0 = Sunday' })),
  from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM local time' }),
  to: Type.String({ pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$', description: 'HH:MM local time' }),
});

export const RulesSchema = Section(
  {
    feverThreshold: Type.Number({ default: 37.3, minimum: 35, maximum: 40, description: 'At or above this (°C) a re-measure is asked; two such readings refuse the passage and raise a fever alert' }),
    temperatureFloor: Type.Number({ default: 35.0, minimum: 30, maximum: 36.5, description: 'Below this (°C) a reading is not trusted and a re-measure is asked' }),
    maskRequired: Type.Boolean({ default: true, description: 'A mask must be worn (戴口罩)' }),
    healthCodeRequired: Type.Boolean({ default: true, description: 'The health-code colour must be known before a decision (验码)' }),
    visitorEscortRequired: Type.Boolean({ default: true, description: 'Visitors enter only with an escort (由专人带进)' }),
    riskAreaLookbackDays: Type.Integer({ default: 14, minimum: 1, maximum: 60, description: 'Days of travel history checked against the risk-area list' }),
    nucleicTestMaxAgeHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, description: 'Maximum age of a negative nucleic-acid test (48, 72 or 168 by policy); unset = not checked' })),
    vaccinationRequired: Type.Boolean({ default: false, description: 'Require a vaccination record' }),
    householdQuota: Section({
      days: Type.Integer({ default: 2, minimum: 1, maximum: 14, description: 'One member per household may go out every N days' }),
      mode: Type.Union([Type.Literal('calendar-days'), Type.Literal('rolling-hours')], {
        default: 'calendar-days',
        description: 'calendar-days: out on Monday, next on Wednesday (N local days later), as a household understands "every two days"; rolling-hours: N × 24 h after the last outing',
      }),
      zoneLevels: Type.Array(Type.Union([Type.Literal('normal'), Type.Literal('precaution'), Type.Literal('controlled')]), { default: ['precaution'], description: 'Zone levels in which the quota applies (管控区 already stops all exits but staff and authorised)' }),
    }, { description: 'Household outing quota (每2天每户可指派1名家庭成员持通行证出门采购)' }),
    antiPassback: Type.Boolean({ default: false, description: 'A card that is inside cannot enter again until it has left' }),
    outsiderHours: Type.Optional(Type.Array(TimeWindow, { description: 'Hours when outsiders (visitors) may enter, e.g. closed after 21:00' })),
    pairingWindowSeconds: Type.Integer({ default: 20, minimum: 2, maximum: 300, description: 'How long a temperature reading and a scan are paired into one passage' }),
    passageTimeoutSeconds: Type.Integer({ default: 60, minimum: 5, maximum: 600, description: 'A passage not decided within this time is abandoned and the lane returns to idle' }),
    exitChecks: Type.Boolean({ default: false, description: 'Also take temperature, mask and health code on the way out (the practice checks every entry, 逢进必查)' }),
    healthStatusMaxAgeMinutes: Type.Integer({ default: 1440, minimum: 1, maximum: 10080, description: 'A health-code colour pushed by the hub is used without asking for this long; older, the volunteer checks the code' }),
    lowReadingsBeforeOperator: Type.Integer({ default: 3, minimum: 1, maximum: 10, description: 'After this many readings below the floor the lane asks the volunteer to enter a temperature by hand' }),
    overrideGraceSeconds: Type.Integer({ default: 60, minimum: 0, maximum: 600, description: 'A refused passage may still be overridden (admitted) by the volunteer for this long after the refusal' }),
    visitorSlipPrefix: Type.String({ default: 'VIS:', minLength: 1, maxLength: 16, description: 'Scans starting with this text are visitor slips printed at registration (VIS:<registration id>)' }),
    colourVerifier: Type.Optional(
      Block(
        {
          url: Type.String({ pattern: '^https?://', description: 'POST {site, personId} here; the answer is {"colour":"green|yellow|red"}' }),
          timeoutMs: Type.Integer({ default: 3000, minimum: 200, maximum: 20000, description: 'Past this the volunteer checks the code by hand' }),
        },
        { description: 'Optional online health-code verifier; without it the hub status or the volunteer decides the colour' },
      ),
    ),
    monitoringMaxOutingsPerDay: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 20, description: '居家健康监测: outings a day before an exit is refused (unset: every necessary outing is admitted with a warning and counted)' }),
    ),
    breachRestartsQuarantine: Type.Boolean({ default: true, description: 'A quarantine breach restarts home or central quarantine from that day for quarantineDays (seed 004: 自外出之日起重新计算隔离时间)' }),
    quarantineDays: Type.Integer({ default: 14, minimum: 1, maximum: 60, description: 'Length of home quarantine: a restart after a breach, and a returnee reported at the kiosk (报备)' }),
    feverHandoverMinutes: Type.Integer({ default: 30, minimum: 5, maximum: 240, description: 'A person held for fever and not handed over to the medical service within this time raises a second alert' }),
    relayPulseMs: Type.Integer({ default: 3000, minimum: 100, maximum: 30000, description: 'How long the door relay is energised to admit' }),
  },
  { description: 'Entry and exit rules (四验一戴)' },
);
export type RulesConfig = Static<typeof RulesSchema>;
