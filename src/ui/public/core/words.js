// Words for the codes the server sends (alert severities, device kinds and drivers, audit actions and
// actors), so that no English code reaches the Chinese screen. Unknown codes are data and shown as they are.
import { h } from '/assets/page-core/h.js';
import { tr } from './i18n.js';

const table = (t) => (code) => (t[code] ? tr(...t[code]) : code);

export const SEVERITY_CLASS = { critical: 'bad', warning: 'warn', info: 'info' };
export const severityWord = table({ critical: ['紧急', 'Critical'], warning: ['警告', 'Warning'], info: ['提示', 'Notice'] });
export const deviceKindWord = table({ thermometer: ['体温计', 'Thermometer'], scanner: ['扫码器', 'Scanner'], gpio: ['门禁控制', 'Door control'] });
export const driverWord = table({
  serial: ['串口', 'serial'],
  'serial-line': ['串口（按行）', 'serial, line'],
  modbus: ['Modbus串口', 'Modbus'],
  hid: ['USB键盘式', 'USB HID'],
  gpiod: ['GPIO（gpiod）', 'GPIO (gpiod)'],
  onoff: ['GPIO（sysfs）', 'GPIO (sysfs)'],
  mock: ['模拟', 'simulated'],
});
export const auditWord = table({
  override: ['人工处理', 'override'],
  export: ['导出（脱敏）', 'export (masked)'],
  'export-full': ['完整导出', 'full export'],
  'roster-import': ['导入名册', 'roster import'],
  'roster-change': ['名册更新', 'roster change'],
  'card-issue': ['发证', 'card issued'],
  'card-revoke': ['注销出入证', 'card revoked'],
  'config-change': ['改配置', 'config change'],
  'policy-change': ['改规则', 'policy change'],
  'operator-change': ['改值班员', 'operator change'],
  login: ['登录', 'sign-in'],
  'login-failed': ['登录失败', 'failed sign-in'],
  purge: ['清除过期数据', 'purge'],
  'purge-day': ['清除过期数据', 'purge'],
  'visitor-signout': ['访客销号', 'visitor signed out'],
  'alert-ack': ['确认告警', 'alert acknowledged'],
});
const ACTORS = { system: ['系统', 'system'], hub: ['上级平台', 'hub'], 'kiosk-setup': ['首次启动', 'first start'] };
/** Who did it: a word for the system's own actors, else the operator id (data). */
export const actorWord = (a) => (ACTORS[a] ? tr(...ACTORS[a]) : h('span.data', {}, a));
