// Every reason, prompt and alert text the gate can produce, zh-CN first. One catalogue so the
// kiosk, the ledger and the hub say the same words, and a test can check none is missing.
import type { LaneStage } from './contract.js';
import type { AlertKind, Reason, Text } from './model.js';

export const REASONS = {
  'passage.admitted': { zh: '准予通行', en: 'Admitted' },
  'passage.timeout': { zh: '超时未完成，已放弃', en: 'Not completed in time; abandoned' },
  'passage.unpaired': { zh: '体温读数未配对扫码，已放弃', en: 'Reading not paired with a scan; abandoned' },
  'passage.cancelled': { zh: '值守人员已取消', en: 'Cancelled by the volunteer' },
  'card.malformed': { zh: '通行码格式错误', en: 'Pass card code is malformed' },
  'card.oversize': { zh: '通行码过长', en: 'Pass card code is too long' },
  'card.bad-signature': { zh: '通行码签名无效（可能被篡改）', en: 'Pass card signature is invalid (possibly tampered)' },
  'card.unknown-key': { zh: '通行码签发密钥未被信任', en: 'Pass card was signed by an untrusted key' },
  'card.wrong-site': { zh: '非本村/小区通行证', en: 'Pass card belongs to another site' },
  'card.expired': { zh: '通行证已过期', en: 'Pass card has expired' },
  'card.revoked': { zh: '通行证已注销', en: 'Pass card has been revoked' },
  'card.unknown': { zh: '通行证未登记', en: 'Pass card is not on the roster' },
  'card.hours': { zh: '不在通行证有效时段内', en: 'Outside the validity hours of this card' },
  'id.format': { zh: '身份证号格式错误', en: 'ID number must be 17 digits plus a digit or X' },
  'id.region': { zh: '身份证号地区码无效', en: 'ID number has an invalid region code' },
  'id.birth-date': { zh: '身份证号出生日期无效', en: 'ID number has an invalid birth date' },
  'id.check-digit': { zh: '身份证号校验位错误', en: 'ID number check digit is wrong (mistyped?)' },
  'scan.unreadable': { zh: '无法识别的码', en: 'Unrecognised code' },
  // Held, not sent away (seed 002: 由工作队联系医疗机构上门收治，严禁自行乘车).
  'temp.fever': { zh: '两次测温均超过阈值：请在此等候，工作人员马上就到', en: 'Temperature above the threshold twice: please wait here, staff are coming' },
  'fever.held': {
    zh: '发热人员在卡口等候：请工作队联系医疗机构上门收治，严禁其自行离开或乘车',
    en: 'A person with fever is held at the gate: the work team calls the medical service to collect them; they must not leave or travel alone',
  },
  'code.yellow': { zh: '健康码黄码，不予通行', en: 'Yellow health code; not admitted' },
  'code.red': { zh: '健康码红码，不予通行', en: 'Red health code; not admitted' },
  'mask.missing': { zh: '未佩戴口罩', en: 'No mask worn' },
  'residency.unknown': { zh: '非本村/小区登记人员', en: 'Not on the roster of this site' },
  'visitor.unregistered': { zh: '外来人员未登记，请先填写健康登记表', en: 'Visitor not registered; fill in the health registration first' },
  'visitor.signed-out': { zh: '访客登记已销号，请重新登记', en: 'Visitor registration already signed out; register again' },
  'visitor.no-escort': { zh: '外来人员须由专人带进', en: 'Visitors must be escorted' },
  'visitor.sign-out': { zh: '访客离开，已销号', en: 'Visitor left; signed out' },
  'risk.visitor': { zh: '14天内有中高风险地区旅居史，外来人员不得进入', en: 'Stay in a medium/high-risk area within the look-back period; outsiders may not enter' },
  'risk.returnee': { zh: '中高风险地区返回，须报备并居家隔离', en: 'Back from a risk area; must report and stay in home quarantine' },
  'test.missing': { zh: '无核酸检测阴性记录', en: 'No negative nucleic-acid test on record' },
  'test.expired': { zh: '核酸检测阴性证明已超时效', en: 'Negative nucleic-acid test is too old' },
  'vaccine.missing': { zh: '无疫苗接种记录', en: 'No vaccination record' },
  'monitoring.outing': { zh: '居家健康监测人员：非必要不外出，已记录本次外出', en: 'Home health monitoring: out only when necessary; this outing is recorded' },
  'monitoring.limit': { zh: '居家健康监测人员今日外出次数已满', en: 'Home health monitoring: the outings allowed today are used' },
  'quarantine.breach': { zh: '隔离期内不得外出', en: 'In quarantine; may not leave' },
  'quota.household': { zh: '本户外出名额已用（每户限一人）', en: 'Household outing quota already used' },
  'zone.sealed': { zh: '封控区：足不出户，不得进出', en: 'Sealed zone: nobody leaves or enters' },
  'zone.controlled': { zh: '管控区：人不出区', en: 'Controlled zone: nobody leaves the area' },
  'zone.controlled-visitor': { zh: '管控区：外来人员不得进入', en: 'Controlled zone: outsiders may not enter' },
  'hours.outsider': { zh: '非开放时段，外来人员不得进入', en: 'Outside opening hours for outsiders' },
  'vehicle.no-permit': { zh: '车辆无通行证', en: 'Vehicle has no permit' },
  'passback.inside': { zh: '该证已在区内，未登记离开', en: 'This card is already inside and has not left' },
  'override.admit': { zh: '值守人员放行', en: 'Admitted by the volunteer' },
  'override.refuse': { zh: '值守人员劝返', en: 'Turned back by the volunteer' },
} as const satisfies Record<string, Text>;

export type ReasonCode = keyof typeof REASONS;

export function reason(code: ReasonCode): Reason {
  return { code, ...REASONS[code] };
}

export const PROMPTS: Record<LaneStage, Text> = {
  idle: { zh: '请扫码通行', en: 'Scan to pass' },
  'awaiting-credential': { zh: '请扫通行证或身份证', en: 'Scan your pass card or ID' },
  'awaiting-temperature': { zh: '请测体温', en: 'Please take temperature' },
  'awaiting-remeasure': { zh: '请复测', en: 'Please re-measure' },
  'awaiting-mask': { zh: '请戴好口罩', en: 'Please wear your mask' },
  'awaiting-colour': { zh: '请出示健康码', en: 'Show your health code' },
  'awaiting-member': { zh: '本户有隔离/健康监测人员：请选择本次出行的家庭成员', en: 'A member of this household is in quarantine or health monitoring: pick who is going out' },
  'awaiting-verification': { zh: '请出示疫苗接种记录/核酸阴性证明', en: 'Show your vaccination record / negative test' },
  // The lane hands over to the volunteer only when the thermometer keeps reading too low.
  'awaiting-operator': { zh: '体温读数过低，请人工测温', en: 'Readings stay too low; take the temperature by hand' },
};

export const LOW_READING_PROMPT: Text = { zh: '体温过低，请靠近复测', en: 'Reading too low; come closer and re-measure' };

/** The name of each kind of alert, as the office's feed titles it (every kind must have one). */
export const ALERT_KINDS = {
  fever: { zh: '发热', en: 'Fever' },
  'code-yellow': { zh: '健康码黄码', en: 'Yellow health code' },
  'code-red': { zh: '健康码红码', en: 'Red health code' },
  'quarantine-breach': { zh: '隔离人员外出', en: 'Quarantine breach' },
  'health-monitoring': { zh: '健康监测人员外出', en: 'Health monitoring outing' },
  'risk-area-visitor': { zh: '中高风险地区来访', en: 'Visitor from a risk area' },
  'risk-area-returnee': { zh: '中高风险地区返回', en: 'Returnee from a risk area' },
  'household-quota': { zh: '超出每户外出名额', en: 'Household outing quota' },
  'card-invalid': { zh: '无效通行证', en: 'Invalid pass card' },
  override: { zh: '人工放行/劝返', en: 'Manual override' },
  'device-offline': { zh: '设备离线', en: 'Device offline' },
  'device-faulty': { zh: '设备故障', en: 'Device fault' },
  'outbox-full': { zh: '待上传积压', en: 'Outbox backlog' },
  'disk-full': { zh: '存储空间不足', en: 'Disk nearly full' },
  'visitor-overdue': { zh: '访客逾时未离开', en: 'Visitor overdue' },
  'clock-unsynced': { zh: '时钟未同步', en: 'Clock not synced' },
  'reading-implausible': { zh: '体温读数异常', en: 'Implausible reading' },
  'fever-unhandled': { zh: '发热人员未交接', en: 'Fever case not handed over' },
} as const satisfies Record<AlertKind, Text>;

export const IGNORED = {
  unknownLane: { zh: '未知通道', en: 'Unknown lane' },
  busy: { zh: '上一位还在核验，请先完成或取消', en: 'The person before is still being checked; finish or cancel first' },
  nothing: { zh: '现在没有人在核验，请先刷卡或扫码', en: 'Nobody is being checked; scan a card or code first' },
  overrideExpired: { zh: '已超时，请重新扫码', en: 'Too late to override; scan again' },
  alreadyRefused: { zh: '已是禁止通行，无需再拦', en: 'Already refused' },
  overrideReason: { zh: '放行/劝返须填写理由', en: 'An override needs a reason' },
  notMember: { zh: '不是本户成员', en: 'Not a member of this household' },
  overrideNobody: { zh: '无可放行的人员：请先扫码', en: 'Nobody to admit: scan the person first' },
  overrideOperator: { zh: '放行/劝返须有值守人员编号', en: 'An override needs the operator id' },
  badReading: { zh: '体温读数不合理', en: 'Implausible temperature reading' },
  exitNoChecks: { zh: '出门无需此项', en: 'Not needed for an exit' },
} as const satisfies Record<string, Text>;
