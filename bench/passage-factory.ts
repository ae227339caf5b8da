// Realistic passages for the ledger's tests, the kill test and the bench: one factory, the mix of
// refusals and fevers chosen by the caller.
import type { Passage } from '../src/gate/model.js';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['建国', '秀英', '强', '丽', '志明', '芳', '伟', '敏', '静', '磊'];

export interface PassageMix {
  /** Every n-th passage is refused (yellow code). */
  refuseEvery: number;
  /** Every n-th passage is a fever, refused. */
  feverEvery: number;
  /** Whether a fever raises its alert with the passage. */
  feverAlert: boolean;
}

/** The tests' mix: refusals and fevers often enough that a few hundred passages hold both. */
export const TEST_MIX: PassageMix = { refuseEvery: 17, feverEvery: 97, feverAlert: true };

export function passage(i: number, at: number, over: Partial<Passage> = {}, mix: PassageMix = TEST_MIX): Passage {
  const fever = i % mix.feverEvery === 0;
  const refused = i % mix.refuseEvery === 0;
  const person = i % 500;
  const id = `p-${String(i).padStart(8, '0')}`;
  return {
    id,
    lane: i % 3 === 0 ? 'lane-2' : 'lane-1',
    direction: i % 2 === 0 ? 'in' : 'out',
    subject: {
      kind: 'person',
      id: `card-${person}`,
      personId: `per-${person}`,
      householdId: `hh-${person % 150}`,
      name: `${SURNAMES[person % 10]}${GIVEN[Math.floor(person / 10) % 10]}`,
      idTail: String(1000 + (person % 9000)),
    },
    temperatures: [{ celsius: fever ? 38.2 : 36.4, source: 'device', deviceId: 'thermo-1', at }],
    colour: 'green',
    colourSource: 'verifier',
    mask: true,
    maskSource: 'sensor',
    outcome: refused || fever ? 'refused' : 'admitted',
    reasons: fever ? [{ code: 'temp.fever', zh: '体温异常', en: 'Fever' }] : refused ? [{ code: 'code.yellow', zh: '黄码', en: 'Yellow code' }] : [{ code: 'ok', zh: '通过', en: 'Admitted' }],
    startedAt: at - 800,
    decidedAt: at,
    clockSynced: true,
    actions: [],
    alerts: fever && mix.feverAlert ? [{ id: `a-${id}`, kind: 'fever', severity: 'critical', lane: 'lane-1', passageId: id, text: { zh: '发热', en: 'Fever' }, at, detail: { celsius: 38.2 } }] : [],
    flags: [],
    zoneLevel: 'normal',
    ...over,
  };
}
