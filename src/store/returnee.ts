// 报备 at the village (seed 003): a resident back from elsewhere reports where from, when, the test and
// the code; the policy applies at once. From a medium/high-risk area within the look-back, with a
// green code and a negative test within 7 days: home quarantine (居家隔离医学观察) for quarantineDays
// from arrival (tests on days 5 and 11, release after both are negative and signed); without them:
// central quarantine (集中隔离). From elsewhere: 日常健康监测 for the same period.
import type { ReturneeDecision, ReturneeReport } from './practice-types.js';
import { tierEnd } from './quarantine.js';


export interface ReturneePolicy {
  riskAreas: readonly string[];
  quarantineDays: number;
  lookbackDays: number;
  timeZone: string;
  now: number;
}


const DAY = 86_400_000;

export function validateReturneeReport(r: ReturneeReport, now: number): void {
  if (!r.personId?.trim()) throw new Error('A 报备 names the person (personId)');
  if (!r.from?.trim() || r.from.length > 128) throw new Error('A 报备 says where the person came from (from: up to 128 characters)');
  if (!Number.isInteger(r.arrivedAt) || r.arrivedAt > now + 60_000) throw new Error('The arrival time must be a time that has passed');
  if (r.testAt !== undefined && (!Number.isInteger(r.testAt) || r.testAt > now + 60_000)) throw new Error('The test time must be a time that has passed');
}

export function returneeDecision(r: ReturneeReport, p: ReturneePolicy): ReturneeDecision {
  const fromRiskArea = p.riskAreas.includes(r.from.trim()) && p.now - r.arrivedAt <= p.lookbackDays * DAY;
  const until = tierEnd(r.arrivedAt, p.quarantineDays, p.timeZone);
  if (!fromRiskArea) {
    return { tier: { kind: 'daily', until }, fromRiskArea, text: { zh: `来自非中高风险地区：日常健康监测${p.quarantineDays}天`, en: `Not from a risk area: daily health monitoring for ${p.quarantineDays} days` } };
  }
  const testOk = r.testAt !== undefined && r.arrivedAt - r.testAt <= 7 * DAY;
  if (r.greenCode === true && testOk) {
    return {
      tier: { kind: 'home', until },
      fromRiskArea,
      text: { zh: `来自中高风险地区，绿码且7天内核酸阴性：居家隔离医学观察${p.quarantineDays}天（第5、11天核酸）`, en: `From a risk area with a green code and a negative test within 7 days: home quarantine for ${p.quarantineDays} days (tests on days 5 and 11)` },
    };
  }
  return {
    tier: { kind: 'central', until },
    fromRiskArea,
    text: { zh: `来自中高风险地区，无绿码或7天内核酸阴性证明：集中隔离${p.quarantineDays}天`, en: `From a risk area without a green code or a negative test within 7 days: central quarantine for ${p.quarantineDays} days` },
  };
}
